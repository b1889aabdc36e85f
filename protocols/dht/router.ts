import { distance, inOpen, inOpenClosed, type RingId, type RingSpace } from './ids.ts'
import type { NodeRef } from './node-ref.ts'
import type { FingerTable } from './fingers.ts'
import type { RingState } from './ring.ts'
import type { PeerKey } from '../../node/ports/net.ts'

/**
 * Routing decisions, pure: one lookup step at a member, and the querier's choice of the
 * next hop. A peer known dead is never chosen; the next best candidate takes its place.
 */
export type StepAnswer =
  /** `nodes[0]` is the key's successor; the rest are its successors (fallbacks, replicas). */
  | { done: true, nodes: NodeRef[] }
  /** Closer members, closest to the key first. */
  | { done: false, nodes: NodeRef[] }

/**
 * The step a member takes for `key`: if the key falls between it and its first live
 * successor, that successor owns it; otherwise answer the members preceding the key
 * closest to it, from fingers and the successor list.
 */
export function routeStep (space: RingSpace, ring: RingState, fingers: FingerTable, key: RingId, isDead: (p: PeerKey) => boolean, fanout: number): StepAnswer {
  const live = ring.succs.filter(n => !isDead(n.peer))
  if (key === ring.self.id || ring.succs.length === 0) return { done: true, nodes: [ring.self, ...live] }
  // Every successor suspected dead: we are cut off (or crashing), not alone. Claiming
  // every key would be wrong; name no one, so the querier goes round us.
  if (live.length === 0) return { done: false, nodes: [] }
  if (inOpenClosed(space, key, ring.self.id, live[0].id)) return { done: true, nodes: live }
  const nodes = closestPreceding(space, ring, fingers, key, isDead, fanout)
  return nodes.length > 0 ? { done: false, nodes } : { done: true, nodes: live }
}

/**
 * Known members strictly between self and key, closest to the key first, at most `limit`.
 * Runs on every lookup step: no sort, no copies, no closure. Closest to the key is farthest
 * from self, so candidates rank by their distance from self (largest first), which spares
 * the bigint subtraction to the key per candidate.
 */
export function closestPreceding (space: RingSpace, ring: RingState, fingers: FingerTable, key: RingId, isDead: (p: PeerKey) => boolean, limit: number): NodeRef[] {
  const self = ring.self
  const span = distance(space, self.id, key)
  const best: NodeRef[] = []
  /** best[i]'s distance from self, descending. */
  const far: bigint[] = []
  const entries = fingers.entries
  const succs = ring.succs
  const total = entries.length + succs.length
  for (let k = 0; k < total; k++) {
    const n = k < entries.length ? entries[k].node : succs[k - entries.length]
    if (n.peer === self.peer) continue
    const fromSelf = distance(space, self.id, n.id)
    if (fromSelf === 0n || (span !== 0n && fromSelf >= span)) continue
    if (best.length >= limit && fromSelf <= far[far.length - 1]) continue
    if (hasPeer(best, n.peer) || isDead(n.peer)) continue
    let i = best.length
    while (i > 0 && far[i - 1] < fromSelf) i--
    best.splice(i, 0, n)
    far.splice(i, 0, fromSelf)
    if (best.length > limit) { best.pop(); far.pop() }
  }
  return best
}

function hasPeer (nodes: readonly NodeRef[], peer: PeerKey): boolean {
  for (const n of nodes) if (n.peer === peer) return true
  return false
}

/**
 * The querier's candidate pool for an iterative lookup: members preceding the key that
 * have not been asked, closest first. Only candidates closer than the member that named
 * them are admitted, so every hop makes progress and the lookup cannot loop.
 */
export class CandidatePool {
  private readonly space: RingSpace
  private readonly key: RingId
  private readonly asked = new Set<string>()
  /** With each candidate's distance to the key, computed once rather than per comparison. */
  private pool: Array<{ n: NodeRef, d: bigint }> = []

  constructor (space: RingSpace, key: RingId) {
    this.space = space
    this.key = key
  }

  /** Add candidates named by `from` (undefined for our own table). */
  add (nodes: readonly NodeRef[], from?: NodeRef): void {
    for (const n of nodes) {
      if (this.asked.has(n.peer) || this.pool.some(p => p.n.peer === n.peer)) continue
      if (from !== undefined && !inOpen(this.space, n.id, from.id, this.key)) continue
      this.pool.push({ n, d: distance(this.space, n.id, this.key) })
    }
    this.pool.sort((a, b) => compareBig(a.d, b.d))
  }

  /** Candidates waiting to be asked. */
  get size (): number {
    return this.pool.length
  }

  /** The closest candidate not yet asked and not dead. */
  next (isDead: (p: PeerKey) => boolean): NodeRef | undefined {
    while (this.pool.length > 0) {
      const n = (this.pool.shift() as { n: NodeRef }).n
      this.asked.add(n.peer)
      if (!isDead(n.peer)) return n
    }
    return undefined
  }
}

function compareBig (a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
