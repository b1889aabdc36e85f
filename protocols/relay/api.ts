import type { SearchHit } from '../../node/contracts.ts'
import type { ActorRef } from '../../node/kernel/actor.ts'
import type { RelayCmd, RelayStatus, WhereResult } from './actor.ts'

/** The relay module's programmatic API (service 'relay'): a thin wrapper over asks. */
export class RelayApi {
  private readonly ref: ActorRef<RelayCmd>
  private readonly askTimeoutMs: number

  constructor (ref: ActorRef<RelayCmd>, askTimeoutMs: number) {
    this.ref = ref
    this.askTimeoutMs = askTimeoutMs
  }

  /** The directory entry of `name`: its owner's peer id and current (possibly relayed) addresses. */
  async whereis (name: string): Promise<WhereResult> {
    return await this.ref.ask<WhereResult>(reply => ({ type: 'whereis', name, reply }), this.askTimeoutMs)
  }

  /** Search the supernode tier's content index (through our supernode when we are a child). */
  async search (text: string, limit?: number): Promise<SearchHit[]> {
    return await this.ref.ask<SearchHit[]>(reply => ({ type: 'search', text, ...(limit !== undefined ? { limit } : {}), reply }), this.askTimeoutMs)
  }

  async status (): Promise<RelayStatus> {
    return await this.ref.ask<RelayStatus>(reply => ({ type: 'status', reply }))
  }
}
