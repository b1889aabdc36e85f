import { distance, inOpen, inOpenClosed, type RingSpace } from './ids.ts'
import type { NodeRef } from './node-ref.ts'
import type { IndexEntry } from './record-store.ts'

/**
 * Replica placement, pure. A member owns the keys in (predecessor, self]; it offers them
 * to its first `replicas` successors each repair round, and when a new predecessor
 * appears it hands that one the keys it now owns (a join takes over its keys).
 */
export function ownedKeys (space: RingSpace, index: ReadonlyMap<string, IndexEntry>, self: NodeRef, pred: NodeRef | undefined, alone: boolean): string[] {
  if (alone) return [...index.keys()]
  if (pred === undefined) return []
  const out: string[] = []
  for (const [k, e] of index) if (inOpenClosed(space, e.id, pred.id, self.id)) out.push(k)
  return out
}

/**
 * Keys to hand a new predecessor: those in (old, new] when the old predecessor is known;
 * otherwise everything outside our own range (the new predecessor should hold all of it
 * as owner or replica).
 */
export function handoverKeys (space: RingSpace, index: ReadonlyMap<string, IndexEntry>, self: NodeRef, oldPred: NodeRef | undefined, newPred: NodeRef): string[] {
  if (oldPred !== undefined && !inOpen(space, newPred.id, oldPred.id, self.id)) return []
  const out: string[] = []
  for (const [k, e] of index) {
    const give = oldPred !== undefined
      ? inOpenClosed(space, e.id, oldPred.id, newPred.id)
      : !inOpenClosed(space, e.id, newPred.id, self.id)
    if (give) out.push(k)
  }
  return out
}

/** What to fetch from an offer: keys we lack or hold at an older version. */
export function wanted (index: ReadonlyMap<string, IndexEntry>, items: ReadonlyArray<{ key: string, ver: number }>): string[] {
  return items.filter(it => (index.get(it.key)?.ver ?? 0) < it.ver).map(it => it.key)
}

/**
 * Stale-replica collection, pure parts. A member may hold a key as its owner or as one of
 * the owner's first `replicas` successors, i.e. keys in (p, self] where p is its
 * (replicas + 1)-th predecessor. Keys outside that range are candidates: the ring moved
 * (joins between the owner and us) and nobody will ever offer or ask for them again.
 * Candidates are only candidates: the actor confirms each group with a lookup and drops
 * a copy only once the key's owner has said it holds that version or a newer one.
 */
export function staleCandidates (space: RingSpace, index: ReadonlyMap<string, IndexEntry>, self: NodeRef, rangeStart: NodeRef): string[] {
  const out: Array<{ key: string, d: bigint }> = []
  for (const [k, e] of index) {
    if (!inOpenClosed(space, e.id, rangeStart.id, self.id)) out.push({ key: k, d: distance(space, self.id, e.id) })
  }
  // Clockwise from self: each group (keys sharing one owner) is then a run of the list.
  out.sort((a, b) => a.d < b.d ? -1 : a.d > b.d ? 1 : 0)
  return out.map(x => x.key)
}

/** The run of `keys` (in staleCandidates order) that `owner`, the successor of the first key, also owns. */
export function ownerGroup (space: RingSpace, index: ReadonlyMap<string, IndexEntry>, keys: readonly string[], owner: NodeRef): string[] {
  const first = index.get(keys[0])
  if (first === undefined) return keys.slice(0, 1)
  const span = distance(space, first.id, owner.id)
  const out: string[] = []
  for (const k of keys) {
    const e = index.get(k)
    if (e === undefined || distance(space, first.id, e.id) > span) break
    out.push(k)
  }
  return out.length > 0 ? out : keys.slice(0, 1)
}

/**
 * Whether `self` must keep a key whose lookup answered `holders` (the owner, then its
 * successors): it is one of the first replicas + 1, or the answer is too short to tell.
 */
export function keepsCopy (holders: readonly NodeRef[], self: NodeRef, replicas: number): boolean {
  if (holders.length < replicas + 1) return true
  return holders.slice(0, replicas + 1).some(n => n.peer === self.peer)
}
