import type { ActorRef } from '../../node/kernel/actor.ts'
import type { ProviderIndex, ProviderRecord } from '../../node/contracts.ts'
import type { DhtInbox, FindResult, GetResult, PutResult, RingView } from './api-types.ts'
import { DEFAULT_PROVIDER_LIMIT } from './constants.ts'
import { hashId, type RingId, type RingSpace } from './ids.ts'

const enc = new TextEncoder()

/** The DHT's programmatic API (`services.get('dht')`); also the chunk exchange's ProviderIndex. */
export class DhtApi implements ProviderIndex {
  private readonly ref: ActorRef<DhtInbox>
  private readonly timeoutMs: number
  readonly space: RingSpace

  constructor (ref: ActorRef<DhtInbox>, space: RingSpace, timeoutMs: number) {
    this.ref = ref
    this.space = space
    this.timeoutMs = timeoutMs
  }

  /** The ring id of a key (SHA-256 truncated to the ring width). */
  idOf (key: string): RingId {
    return hashId(this.space, key)
  }

  async put (key: string, value: Uint8Array | string): Promise<PutResult> {
    const bytes = typeof value === 'string' ? enc.encode(value) : value
    return await this.ref.ask<PutResult>(reply => ({ type: 'put', key, value: bytes, reply }), this.timeoutMs)
  }

  async get (key: string): Promise<GetResult> {
    return await this.ref.ask<GetResult>(reply => ({ type: 'get', key, reply }), this.timeoutMs)
  }

  /** The member owning `key` (a string key is hashed; a RingId is used as is) and the hops taken. */
  async findSuccessor (key: string | RingId): Promise<FindResult> {
    const id = typeof key === 'string' ? this.idOf(key) : key
    return await this.ref.ask<FindResult>(reply => ({ type: 'find', key: id, reply }), this.timeoutMs)
  }

  async ring (): Promise<RingView> {
    return await this.ref.ask<RingView>(reply => ({ type: 'view', reply }), this.timeoutMs)
  }

  /** Join the ring through a member (peer key or multiaddrs); peers also join on their own when connected. */
  async join (via: string[]): Promise<void> {
    await this.ref.ask<void>(reply => ({ type: 'join', via, reply }), this.timeoutMs)
  }

  async provide (key: string): Promise<void> {
    await this.ref.ask<void>(reply => ({ type: 'provide', key, reply }), this.timeoutMs)
  }

  async findProviders (key: string, opts: { limit?: number } = {}): Promise<ProviderRecord[]> {
    const limit = opts.limit ?? DEFAULT_PROVIDER_LIMIT
    return await this.ref.ask<ProviderRecord[]>(reply => ({ type: 'find-providers', key, limit, reply }), this.timeoutMs)
  }
}
