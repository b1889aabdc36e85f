import { inOpen, inOpenClosed, type RingSpace } from './ids.ts'
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
