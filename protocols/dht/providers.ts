import type { ProviderRecord } from '../../node/contracts.ts'
import { asPeerKey, type PeerKey } from '../../node/ports/net.ts'
import type { Store } from '../../node/ports/store.ts'
import { shareableAddrs, type AddrScope } from './addrs.ts'
import * as C from './constants.ts'
import { DhtError } from './errors.ts'
import { hashId } from './ids.ts'
import { checkKey } from './key-values.ts'
import { replicaTargets, type RingMember } from './member.ts'
import type { WireNode } from './messages.ts'
import { addProvider, listProviders, pruneProviders, type ProviderMap } from './provider-set.ts'
import { meansDead } from './rpc.ts'

const enc = new TextEncoder()

/** What provider records need beyond the member's routing: the clock, their stores, the mailbox. */
export interface ProvidersHost extends RingMember {
  readonly providerTtlMs: number
  readonly addrScope: AddrScope
  /** Records held for others, and the keys this peer provides itself (republished). */
  readonly records: Store
  readonly mine: Store
  now: () => number
  /** `addRecord` on this member, through its mailbox. */
  localAdd: (key: string, provider: WireNode, ttlMs: number) => Promise<void>
}

/**
 * Provider records: key = a content link, value = the peers that have it, each with an
 * expiry. Kept at the key's owner and its replicas, persisted, pruned when expired, and
 * republished periodically by the peers that provide them.
 */
export class Providers {
  private readonly h: ProvidersHost
  private readonly map: ProviderMap = new Map()
  private readonly mine = new Set<string>()

  constructor (host: ProvidersHost) {
    this.h = host
  }

  /** Unexpired records and our own keys, from the stores. */
  async load (): Promise<void> {
    const now = this.h.now()
    for await (const [k, v] of this.h.records.entries()) {
      const sep = k.indexOf('\n')
      const e = JSON.parse(new TextDecoder().decode(v)) as { addrs: string[], expiresAt: number }
      if (sep > 0 && e.expiresAt > now) addProvider(this.map, k.slice(0, sep), { peer: asPeerKey(k.slice(sep + 1)), addrs: e.addrs, expiresAt: e.expiresAt })
    }
    for await (const [k] of this.h.mine.entries()) this.mine.add(k)
  }

  /** Remember that we provide `key` (republished from now on, across restarts). */
  async remember (key: string): Promise<void> {
    checkKey(key)
    if (this.mine.has(key)) return
    this.mine.add(key)
    await this.h.mine.put(key, new Uint8Array([1]))
  }

  async provideOnce (key: string): Promise<void> {
    const res = await this.h.lookup(hashId(this.h.space, key))
    const me = this.h.wire(this.h.ring().self)
    let lastErr: unknown
    for (const node of res.nodes.filter(n => !this.h.isDead(n.peer)).slice(0, C.PUT_ATTEMPTS)) {
      try {
        if (node.peer === this.h.ring().self.peer) {
          await this.h.localAdd(key, me, this.h.providerTtlMs)
        } else {
          await this.h.rpc.call(node.peer, { type: 'add-provider', key, provider: me, ttlMs: this.h.providerTtlMs, forward: true }, 'ack')
        }
        return
      } catch (err) {
        lastErr = err
        if (meansDead(err)) this.h.markDead(node.peer)
      }
    }
    throw new DhtError('put-failed', `provide ${JSON.stringify(key)}: no owner accepted the record`, { key }, { cause: lastErr })
  }

  async republish (): Promise<void> {
    for (const k of [...this.mine]) await this.provideOnce(k).catch(() => {})
  }

  /** Store a record (its TTL capped by ours); as the owner, `forward` it to our replicas. */
  async addRecord (key: string, provider: WireNode, ttlMs: number, forward: boolean): Promise<void> {
    const expiresAt = this.h.now() + Math.min(ttlMs, this.h.providerTtlMs)
    const addrs = shareableAddrs(provider.addrs, this.h.addrScope)
    addProvider(this.map, key, { peer: provider.peer, addrs, expiresAt })
    await this.h.records.put(`${key}\n${provider.peer}`, enc.encode(JSON.stringify({ addrs, expiresAt })))
    if (!forward) return
    const targets = replicaTargets(this.h)
    void Promise.allSettled(targets.map(async t => await this.h.rpc.call(t.peer, { type: 'add-provider', key, provider, ttlMs, forward: false }, 'ack')))
  }

  /** Unexpired providers of `key` held here. */
  list (key: string, limit: number): ProviderRecord[] {
    return listProviders(this.map, key, this.h.now(), limit).map(e => ({ peer: e.peer, addrs: e.addrs }))
  }

  async findTask (key: string, limit: number): Promise<ProviderRecord[]> {
    checkKey(key)
    const res = await this.h.lookup(hashId(this.h.space, key))
    const out = new Map<PeerKey, ProviderRecord>()
    for (const node of res.nodes.filter(n => !this.h.isDead(n.peer)).slice(0, this.h.replicas + 1)) {
      try {
        const list = node.peer === this.h.ring().self.peer
          ? this.list(key, limit)
          : (await this.h.rpc.call(node.peer, { type: 'get-providers', key, limit: Math.min(limit, C.MAX_NODES_PER_MESSAGE) }, 'providers')).providers
        for (const p of list) if (!out.has(p.peer)) out.set(p.peer, { peer: p.peer, addrs: p.addrs })
        if (out.size >= limit) break
      } catch (err) {
        if (meansDead(err)) this.h.markDead(node.peer)
      }
    }
    return [...out.values()].slice(0, limit)
  }

  /** Drop expired records (memory and store). */
  prune (): void {
    for (const gone of pruneProviders(this.map, this.h.now())) void this.h.records.del(`${gone.key}\n${gone.peer}`)
  }

  /** Keys with records, and records in all. */
  counts (): { keys: number, records: number } {
    let records = 0
    for (const l of this.map.values()) records += l.length
    return { keys: this.map.size, records }
  }
}
