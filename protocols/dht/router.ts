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

/** Known members strictly between self and key, closest to the key first, at most `limit`. Runs on every lookup step: no sort, no copies. */
export function closestPreceding (space: RingSpace, ring: RingState, fingers: FingerTable, key: RingId, isDead: (p: PeerKey) => boolean, limit: number): NodeRef[] {
  const span = distance(space, ring.self.id, key)
  const best: Array<{ n: NodeRef, d: bigint }> = []
  const consider = (n: NodeRef): void => {
    if (n.peer === ring.self.peer) return
    const fromSelf = distance(space, ring.self.id, n.id)
    if (fromSelf === 0n || (span !== 0n && fromSelf >= span)) return
    const d = span === 0n ? space.size - fromSelf : span - fromSelf
    if (best.length >= limit && d >= best[best.length - 1].d) return
    if (best.some(b => b.n.peer === n.peer) || isDead(n.peer)) return
    let i = best.length
    while (i > 0 && best[i - 1].d > d) i--
    best.splice(i, 0, { n, d })
    if (best.length > limit) best.pop()
  }
  for (const e of fingers.entries) consider(e.node)
  for (const n of ring.succs) consider(n)
  return best.map(b => b.n)
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
  private pool: NodeRef[] = []

  constructor (space: RingSpace, key: RingId) {
    this.space = space
    this.key = key
  }

  /** Add candidates named by `from` (undefined for our own table). */
  add (nodes: readonly NodeRef[], from?: NodeRef): void {
    for (const n of nodes) {
      if (this.asked.has(n.peer) || this.pool.some(p => p.peer === n.peer)) continue
      if (from !== undefined && !inOpen(this.space, n.id, from.id, this.key)) continue
      this.pool.push(n)
    }
    this.pool.sort((a, b) => compareBig(distance(this.space, a.id, this.key), distance(this.space, b.id, this.key)))
  }

  /** Candidates waiting to be asked. */
  get size (): number {
    return this.pool.length
  }

  /** The closest candidate not yet asked and not dead. */
  next (isDead: (p: PeerKey) => boolean): NodeRef | undefined {
    while (this.pool.length > 0) {
      const n = this.pool.shift() as NodeRef
      this.asked.add(n.peer)
      if (!isDead(n.peer)) return n
    }
    return undefined
  }
}

function compareBig (a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}
