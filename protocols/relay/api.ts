import type { UpstreamSearch } from '../../node/contracts.ts'
import type { ActorRef } from '../../node/kernel/actor.ts'
import type { Holder, SearchStats } from '../flood-search/actor.ts'
import type { SearchApi } from '../flood-search/api.ts'
import type { RelayCmd, RelayStatus, SearchParams, TierAnswer, WhereResult } from './actor.ts'

/**
 * The relay module's programmatic API (service 'relay'): a thin wrapper over asks. It is
 * flood search's upstream route too: an attached child's `peerhive search` comes here.
 */
export class RelayApi implements UpstreamSearch {
  private readonly ref: ActorRef<RelayCmd>
  private readonly askTimeoutMs: number
  private readonly tier: () => SearchApi | undefined

  constructor (ref: ActorRef<RelayCmd>, askTimeoutMs: number, tier: () => SearchApi | undefined = () => undefined) {
    this.ref = ref
    this.askTimeoutMs = askTimeoutMs
    this.tier = tier
  }

  /** The directory entry of `name`: its owner's peer id and current (possibly relayed) addresses. */
  async whereis (name: string): Promise<WhereResult> {
    return await this.ref.ask<WhereResult>(reply => ({ type: 'whereis', name, reply }), this.askTimeoutMs)
  }

  /** Search the supernode tier (through our supernode when we are a child). */
  async search (params: SearchParams): Promise<TierAnswer> {
    return await this.ref.ask<TierAnswer>(reply => ({ type: 'search', params, reply }), params.timeoutMs + this.askTimeoutMs)
  }

  async searchesUpstream (): Promise<boolean> {
    return await this.ref.ask<boolean>(reply => ({ type: 'routes-upstream', reply }))
  }

  async searchUpstream (keywords: string[], opts: { ttl?: number, timeoutMs: number }): Promise<TierAnswer> {
    return await this.search({ keywords, timeoutMs: opts.timeoutMs, ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}) })
  }

  /** What this peer answers tier queries for (its children's uploads and its own files). */
  async holders (): Promise<Holder[]> {
    return await this.ref.ask<Holder[]>(reply => ({ type: 'holders', reply }))
  }

  /** Figures of the tier's flood search (queries accepted, duplicates dropped, hits relayed...). */
  async tierStats (): Promise<SearchStats | undefined> {
    return await this.tier()?.stats()
  }

  async status (): Promise<RelayStatus> {
    return await this.ref.ask<RelayStatus>(reply => ({ type: 'status', reply }))
  }
}
