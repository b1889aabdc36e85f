import { addId, distance, inOpenClosed, type RingId, type RingSpace } from './ids.ts'
import type { NodeRef } from './node-ref.ts'
import type { PeerKey } from '../../node/ports/net.ts'

/**
 * The finger table: finger i is the successor of self + 2^i. Stored sparsely as the
 * distinct fingers (about log2 N of them) with the first index each covers, so a peer in
 * a 10,000-peer simulation holds a dozen entries, not `bits`.
 */
export interface FingerEntry {
  /** Lowest finger index this node answers. */
  readonly from: number
  readonly node: NodeRef
}

export interface FingerTable {
  /** Ascending `from`, at most one entry per node run. */
  readonly entries: readonly FingerEntry[]
  /** Next index fix-fingers looks up. */
  readonly next: number
}

export const emptyFingers: FingerTable = { entries: [], next: 0 }

export function fingerStart (space: RingSpace, self: RingId, i: number): RingId {
  return addId(space, self, 1n << BigInt(i))
}

/**
 * The next finger index that needs a lookup: indices whose start falls in (self, succ]
 * are the successor and need none. Returns `bits` when the table is complete for this
 * round (the caller wraps to 0).
 */
export function nextFingerToFix (space: RingSpace, self: RingId, succ: NodeRef | undefined, from: number): number {
  let i = from
  if (succ === undefined) return space.bits
  while (i < space.bits && inOpenClosed(space, fingerStart(space, self, i), self, succ.id)) i++
  return i
}

/**
 * The lookup of finger `i`'s start returned `node`: it is finger j for every j >= i whose
 * start is in (self, node]. Returns the table with those set and `next` past them.
 */
export function fingerFound (space: RingSpace, self: RingId, t: FingerTable, i: number, node: NodeRef): FingerTable {
  let j = i
  while (j < space.bits && inOpenClosed(space, fingerStart(space, self, j), self, node.id)) j++
  if (j === i) j = i + 1
  const kept = t.entries.filter(e => e.from < i || e.from >= j)
  const entries = [...kept, { from: i, node }].sort((a, b) => a.from - b.from)
  return { entries: dedupe(entries), next: j >= space.bits ? 0 : j }
}

/**
 * The Chord paper's join optimisation: a joiner's fingers are close to its successor's
 * (ids a hair apart have almost the same successors of id + 2^i), so it takes the
 * successor's fingers and list as hints. Finger i becomes the first hint at distance
 * >= 2^i; fix-fingers later corrects any hint. A hint is a live member, so even a wrong
 * one only costs a hop: routing never passes a node beyond the key.
 */
export function fingersFromHints (space: RingSpace, self: NodeRef, hints: readonly NodeRef[]): FingerTable {
  const seen = new Set<string>([self.peer])
  const byDist: Array<{ d: bigint, node: NodeRef }> = []
  for (const n of hints) {
    if (seen.has(n.peer)) continue
    seen.add(n.peer)
    byDist.push({ d: distance(space, self.id, n.id), node: n })
  }
  byDist.sort((a, b) => a.d < b.d ? -1 : a.d > b.d ? 1 : 0)
  const entries: FingerEntry[] = []
  let from = 0
  for (const { d, node } of byDist) {
    if (d === 0n) continue
    // Indices from `from` up to floor(log2 d) have their start in (previous hint, node].
    const top = d.toString(2).length - 1
    if (top >= from) entries.push({ from, node })
    from = Math.max(from, top + 1)
    if (from >= space.bits) break
  }
  return { entries, next: 0 }
}

/**
 * The nearest member we know at or after `start` (fingers and successors): the best
 * guess for `start`'s successor before asking anyone.
 */
export function firstAtOrAfter (space: RingSpace, self: RingId, start: RingId, t: FingerTable, succs: readonly NodeRef[]): NodeRef | undefined {
  const from = distance(space, self, start)
  let best: NodeRef | undefined
  let bestD = 0n
  const consider = (n: NodeRef): void => {
    const d = distance(space, self, n.id)
    if (d >= from && (best === undefined || d < bestD)) { best = n; bestD = d }
  }
  for (const e of t.entries) consider(e.node)
  for (const n of succs) consider(n)
  return best
}

/** Start a new round from index 0. */
export function restartRound (t: FingerTable): FingerTable {
  return { entries: t.entries, next: 0 }
}

export function dropFinger (t: FingerTable, peer: PeerKey): FingerTable {
  if (!t.entries.some(e => e.node.peer === peer)) return t
  return { entries: t.entries.filter(e => e.node.peer !== peer), next: t.next }
}

/** Finger i (the entry covering it), if known. */
export function fingerAt (t: FingerTable, i: number): NodeRef | undefined {
  let found: NodeRef | undefined
  for (const e of t.entries) {
    if (e.from > i) break
    found = e.node
  }
  return found
}

function dedupe (entries: FingerEntry[]): FingerEntry[] {
  const out: FingerEntry[] = []
  for (const e of entries) {
    if (out.length > 0 && out[out.length - 1].node.peer === e.node.peer) continue
    out.push(e)
  }
  return out
}
