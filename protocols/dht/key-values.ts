import type { Reply } from '../../node/kernel/actor.ts'
import type { PeerKey } from '../../node/ports/net.ts'
import type { GetResult, PutResult } from './api-types.ts'
import * as C from './constants.ts'
import { DhtError } from './errors.ts'
import { hashId, inOpen, inOpenClosed } from './ids.ts'
import { replicaTargets, type RingMember } from './member.ts'
import type { DhtMsg, WireRecord } from './messages.ts'
import type { RecordStore } from './record-store.ts'
import { keepsCopy, ownedKeys, ownerGroup, staleCandidates } from './repair.ts'
import { isAlone } from './ring.ts'
import { meansDead } from './rpc.ts'

const enc = new TextEncoder()

export function checkKey (key: string): void {
  const n = enc.encode(key).length
  if (n === 0 || n > C.MAX_KEY_BYTES) throw new DhtError('key-too-large', `dht key must be 1..${C.MAX_KEY_BYTES} bytes, got ${n}`, { bytes: n, max: C.MAX_KEY_BYTES })
}

export function checkValue (value: Uint8Array, max: number): void {
  if (value.length > max) throw new DhtError('value-too-large', `dht value of ${value.length} bytes exceeds ${max}`, { bytes: value.length, max })
}

/**
 * What the key-value work needs beyond the member's routing: its records, and its mailbox
 * for the two steps that change state (an owner's write, a confirmed drop), which must run
 * inside `receive`.
 */
export interface KeyValueHost extends RingMember {
  readonly rpcTimeoutMs: number
  readonly maxValueBytes: number
  readonly records: RecordStore
  /** This member's own `ownerPut`, through its mailbox; resolves to the replicas written. */
  localPut: (key: string, value: Uint8Array) => Promise<number>
  /** Queue a confirmed drop for `dropStale`, through the mailbox. */
  dropStaleLater: (items: Array<{ key: string, ver: number }>) => void
}

/**
 * Key-value pairs on the ring: put and get at the key's owner, replication to its first
 * `replicas` successors, and the repair pass that restores lost copies and drops stale ones.
 * Tasks (put, get, push, repair) run outside the mailbox and only read state.
 */
export class KeyValues {
  private readonly h: KeyValueHost

  constructor (host: KeyValueHost) {
    this.h = host
  }

  async putTask (key: string, value: Uint8Array): Promise<PutResult> {
    checkKey(key)
    checkValue(value, this.h.maxValueBytes)
    const res = await this.h.lookup(hashId(this.h.space, key))
    let lastErr: unknown
    for (const node of res.nodes.filter(n => !this.h.isDead(n.peer)).slice(0, C.PUT_ATTEMPTS)) {
      try {
        if (node.peer === this.h.ring().self.peer) {
          const replicas = await this.h.localPut(key, value)
          return { owner: node.peer, replicas, hops: res.hops }
        }
        const ok = await this.h.rpc.call(node.peer, { type: 'put', key, value }, 'put-ok', this.h.rpcTimeoutMs * 2)
        return { owner: node.peer, replicas: ok.replicas, hops: res.hops }
      } catch (err) {
        lastErr = err
        if (meansDead(err)) this.h.markDead(node.peer)
        else if (err instanceof DhtError) throw err
      }
    }
    throw new DhtError('put-failed', `put ${JSON.stringify(key)}: no owner accepted it`, { key }, { cause: lastErr })
  }

  /** Store as owner (version above any we hold) and replicate to the first successors. */
  async ownerPut (key: string, value: Uint8Array, reply: Reply<number>): Promise<void> {
    try {
      checkKey(key)
      checkValue(value, this.h.maxValueBytes)
    } catch (err) { reply.fail(err as Error); return }
    const rec: WireRecord = { key, ver: this.h.records.version(key) + 1, value }
    await this.h.records.write(rec)
    const targets = replicaTargets(this.h)
    void Promise.allSettled(targets.map(async t => await this.h.rpc.call(t.peer, { type: 'replicate', records: [rec] }, 'ack')))
      .then(results => {
        results.forEach((r, i) => { if (r.status === 'rejected' && meansDead(r.reason)) this.h.markDead(targets[i].peer) })
        reply.ok(results.filter(r => r.status === 'fulfilled').length)
      })
  }

  async getTask (key: string): Promise<GetResult> {
    checkKey(key)
    const res = await this.h.lookup(hashId(this.h.space, key))
    let answered = false
    let lastErr: unknown
    for (const node of res.nodes.filter(n => !this.h.isDead(n.peer)).slice(0, this.h.replicas + 1)) {
      try {
        if (node.peer === this.h.ring().self.peer) {
          answered = true
          const rec = await this.h.records.read(key)
          if (rec !== undefined) return { found: true, value: rec.value, holder: node.peer, hops: res.hops }
          continue
        }
        const v = await this.h.rpc.call(node.peer, { type: 'get', key }, 'value')
        answered = true
        if (v.found && v.value !== undefined) return { found: true, value: v.value, holder: node.peer, hops: res.hops }
      } catch (err) {
        lastErr = err
        if (meansDead(err)) this.h.markDead(node.peer)
      }
    }
    if (!answered) throw new DhtError('lookup-failed', `get ${JSON.stringify(key)}: no holder answered`, { key }, { cause: lastErr })
    return { found: false, hops: res.hops }
  }

  /** Offer `keys` to `to` and send what it wants, in bounded batches. */
  async pushKeys (to: PeerKey, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += C.MAX_OFFER_ITEMS) {
      const items = keys.slice(i, i + C.MAX_OFFER_ITEMS).map(key => ({ key, ver: this.h.records.version(key) })).filter(it => it.ver > 0)
      if (items.length === 0) continue
      const want = await this.h.rpc.call(to, { type: 'offer', items }, 'want')
      const offered = new Set(items.map(it => it.key))
      let batch: WireRecord[] = []
      let bytes = 0
      for (const k of want.keys) {
        if (!offered.has(k)) continue
        const rec = await this.h.records.read(k)
        if (rec === undefined) continue
        if (batch.length > 0 && (bytes + rec.value.length > C.REPLICATE_BATCH_BYTES || batch.length >= C.MAX_OFFER_ITEMS)) {
          await this.h.rpc.call(to, { type: 'replicate', records: batch }, 'ack')
          batch = []; bytes = 0
        }
        batch.push(rec); bytes += rec.value.length + k.length
      }
      if (batch.length > 0) await this.h.rpc.call(to, { type: 'replicate', records: batch }, 'ack')
    }
  }

  /** Owners offer their keys to their replica holders (lost copies come back), then stale copies go. */
  async repairTask (): Promise<void> {
    if (isAlone(this.h.ring())) return
    const owned = ownedKeys(this.h.space, this.h.records.index, this.h.ring().self, this.h.ring().pred, false)
    for (const t of owned.length > 0 ? replicaTargets(this.h) : []) {
      try {
        await this.pushKeys(t.peer, owned)
      } catch (err) {
        if (meansDead(err)) this.h.markDead(t.peer)
      }
    }
    await this.collectStale()
  }

  /**
   * Drop copies we no longer have to keep: keys outside (our (replicas + 1)-th
   * predecessor, self], found by walking back `replicas` predecessors (one request each;
   * nothing else in a steady ring). Each candidate group is confirmed by a lookup (we are
   * not among the owner and its first `replicas` successors), then offered to the owner:
   * what it lacks is sent to it and kept here; only what it already holds at our version
   * or newer is dropped, so the last copy is never the one deleted.
   */
  private async collectStale (): Promise<void> {
    const self = this.h.ring().self
    let start = this.h.ring().pred
    if (start === undefined || this.h.records.index.size === 0) return
    for (let i = 0; i < this.h.replicas; i++) {
      let st: Extract<DhtMsg, { type: 'state' }>
      try {
        st = await this.h.rpc.call(start.peer, { type: 'get-state' }, 'state')
      } catch (err) {
        if (meansDead(err)) this.h.markDead(start.peer)
        return
      }
      if (st.pred === undefined) return
      const p = this.h.learn(st.pred)
      // Wrapped round (a ring of at most replicas + 1 members holds everything everywhere)
      // or pointers not strictly counter-clockwise (mid-repair): decide nothing this pass.
      if (p.peer === self.peer || !inOpen(this.h.space, p.id, self.id, start.id)) return
      start = p
    }
    let cands = staleCandidates(this.h.space, this.h.records.index, self, start)
    for (let g = 0; g < C.MAX_GC_GROUPS_PER_REPAIR && cands.length > 0 && !this.h.stopped(); g++) {
      const res = await this.h.lookup(this.h.records.index.get(cands[0])?.id ?? hashId(this.h.space, cands[0]))
      const owner = res.nodes[0]
      const group = ownerGroup(this.h.space, this.h.records.index, cands, owner)
      cands = cands.slice(group.length)
      if (keepsCopy(res.nodes, self, this.h.replicas) || owner.peer === self.peer) continue
      const items = group.map(key => ({ key, ver: this.h.records.version(key) })).filter(it => it.ver > 0)
      try {
        const want = new Set((await this.h.rpc.call(owner.peer, { type: 'offer', items }, 'want')).keys)
        const give = items.filter(it => want.has(it.key)).map(it => it.key)
        if (give.length > 0) await this.pushKeys(owner.peer, give)
        const drop = items.filter(it => !want.has(it.key))
        if (drop.length > 0 && !this.h.stopped()) this.h.dropStaleLater(drop)
      } catch (err) {
        if (meansDead(err)) this.h.markDead(owner.peer)
      }
    }
  }

  /** Apply a confirmed drop, unless the copy changed since or the key is ours to own now. */
  async dropStale (items: ReadonlyArray<{ key: string, ver: number }>): Promise<void> {
    const pred = this.h.ring().pred
    if (pred === undefined) return
    for (const it of items) {
      const e = this.h.records.index.get(it.key)
      if (e === undefined || inOpenClosed(this.h.space, e.id, pred.id, this.h.ring().self.id)) continue
      await this.h.records.dropIfAt(it.key, it.ver)
    }
  }
}
