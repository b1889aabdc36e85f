import { addId, distance, inOpen, inOpenClosed, type RingId, type RingSpace } from './ids.ts'
import { fingerAt, fingerStart, type FingerEntry } from './fingers.ts'
import type { NodeRef } from './node-ref.ts'
import type { RingState } from './ring.ts'
import type { PeerKey } from '../../node/ports/net.ts'

/**
 * Zave's ring invariants, checked from a global view (tests, the simulator, the bench).
 * Each check returns human-readable violations; empty means it holds.
 *
 * - ordered successor lists: every list is strictly clockwise-increasing from its owner
 *   within one lap, never names its owner, at most r long;
 * - one ordered ring: following each live member's first live successor reaches a single
 *   cycle, and that cycle goes round the identifier space exactly once;
 * - no skipped principal: no successor list jumps over a principal (a member that had
 *   finished joining; a joiner is an appendage until the ring has stabilized over it);
 * - converged (the ideal state, after stabilization): every list is exactly the next r
 *   live members and every predecessor is the true one.
 */
export type Members = ReadonlyMap<PeerKey, RingState>

export function orderedSuccessorLists (space: RingSpace, live: Members, r: number): string[] {
  const out: string[] = []
  for (const [peer, s] of live) {
    if (s.succs.length > r) out.push(`${peer}: ${s.succs.length} successors > r=${r}`)
    let last = 0n
    for (const n of s.succs) {
      const d = distance(space, s.self.id, n.id)
      if (n.peer === peer || d <= last) { out.push(`${peer}: successor list not ordered at ${n.peer}`); break }
      last = d
    }
  }
  return out
}

export function bestSuccessor (live: Members, s: RingState): PeerKey {
  return s.succs.find(n => live.has(n.peer))?.peer ?? s.self.peer
}

export function oneOrderedRing (space: RingSpace, live: Members): string[] {
  if (live.size === 0) return []
  const cycleOf = new Map<PeerKey, string>()
  const cycles: PeerKey[][] = []
  for (const start of live.keys()) {
    const path: PeerKey[] = []
    const onPath = new Set<PeerKey>()
    let p = start
    while (!cycleOf.has(p) && !onPath.has(p)) {
      path.push(p); onPath.add(p)
      p = bestSuccessor(live, live.get(p) as RingState)
    }
    let label = cycleOf.get(p)
    if (label === undefined) {
      const cycle = path.slice(path.indexOf(p))
      label = String(cycles.length)
      cycles.push(cycle)
    }
    for (const q of path) cycleOf.set(q, label)
  }
  if (cycles.length !== 1) return [`${cycles.length} rings: ${cycles.map(c => c.length).join(', ')} members`]
  const cycle = cycles[0]
  if (cycle.length === 1) return []
  let total = 0n
  for (let i = 0; i < cycle.length; i++) {
    const a = live.get(cycle[i]) as RingState
    const b = live.get(cycle[(i + 1) % cycle.length]) as RingState
    total += distance(space, a.self.id, b.self.id)
  }
  return total === space.size ? [] : [`ring of ${cycle.length} members winds ${Number(total * 100n / space.size) / 100} times round`]
}

export function noSkippedPrincipal (space: RingSpace, live: Members, principals: ReadonlySet<PeerKey>): string[] {
  const out: string[] = []
  const ps = [...principals].filter(p => live.has(p)).map(p => (live.get(p) as RingState).self)
  for (const [peer, s] of live) {
    const chain = [s.self, ...s.succs]
    for (let i = 0; i + 1 < chain.length; i++) {
      const skipped = ps.find(p => inOpen(space, p.id, chain[i].id, chain[i + 1].id))
      if (skipped !== undefined) { out.push(`${peer}: list skips ${skipped.peer} between ${chain[i].peer} and ${chain[i + 1].peer}`); break }
    }
  }
  return out
}

/** The true ring from global membership, sorted by id. */
export function sortedMembers (live: Iterable<NodeRef>): NodeRef[] {
  return [...live].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

export function converged (space: RingSpace, live: Members, r: number): string[] {
  const out: string[] = []
  const ring = sortedMembers([...live.values()].map(s => s.self))
  const n = ring.length
  ring.forEach((me, i) => {
    const s = live.get(me.peer) as RingState
    const want = Array.from({ length: Math.min(r, n - 1) }, (_, k) => ring[(i + 1 + k) % n].peer)
    const got = s.succs.map(x => x.peer)
    if (want.join() !== got.join()) out.push(`${me.peer}: successors [${got.join(', ')}], want [${want.join(', ')}]`)
    const pred = n > 1 ? ring[(i - 1 + n) % n].peer : undefined
    if (pred !== undefined && s.pred?.peer !== pred) out.push(`${me.peer}: predecessor ${s.pred?.peer ?? 'none'}, want ${pred}`)
  })
  return out
}

/** Every safety invariant at once (what tests check after every step). */
export function safety (space: RingSpace, live: Members, r: number, principals: ReadonlySet<PeerKey>): string[] {
  return [...orderedSuccessorLists(space, live, r), ...oneOrderedRing(space, live), ...noSkippedPrincipal(space, live, principals)]
}

/** The true successor of `key` among `members` (sorted by id). */
export function trueSuccessor (space: RingSpace, members: readonly NodeRef[], key: bigint): NodeRef {
  // Binary search: the bench checks every finger of hundreds of peers against the ring.
  let lo = 0
  let hi = members.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (members[mid].id >= key) hi = mid
    else lo = mid + 1
  }
  return members[lo] ?? members[0]
}

/**
 * Whether `answer` is a right owner of `key` for a lookup that ran while `joiners` joined
 * a ring of `base` members: the owner in some membership the ring passed through, which
 * is `base` plus any subset of the joiners. Joins overlap, so a key whose owner becomes
 * joiner 1 and then joiner 3 (landing between the key and joiner 1) is rightly answered
 * by joiner 1 in between. A joiner owns the key in some such membership exactly when no
 * base member lies between the key and it (take the subset {joiner}). A crashed peer, a
 * wrong base member or an overshoot all fail this.
 */
export function ownerDuringJoins (space: RingSpace, base: readonly NodeRef[], joiners: ReadonlyMap<PeerKey, NodeRef>, key: RingId, answer: PeerKey): boolean {
  const owner = trueSuccessor(space, base, key)
  if (answer === owner.peer) return true
  const j = joiners.get(answer)
  return j !== undefined && distance(space, key, j.id) < distance(space, key, owner.id)
}

/**
 * Fingers that differ from the ideal table (finger i = successor of self + 2^i) given the
 * true ring `members` (sorted): one count per wrong or missing index that lies beyond the
 * successor (indices up to the successor need no finger). Zero once fix-fingers caught up.
 */
export function wrongFingers (space: RingSpace, members: readonly NodeRef[], self: NodeRef, fingers: readonly FingerEntry[]): number {
  const succ = members.length > 1 ? trueSuccessor(space, members, addId(space, self.id, 1n)) : undefined
  if (succ === undefined || succ.peer === self.peer) return 0
  let wrong = 0
  const table = { entries: fingers, next: 0 }
  for (let i = 0; i < space.bits; i++) {
    const start = fingerStart(space, self.id, i)
    if (inOpenClosed(space, start, self.id, succ.id)) continue
    if (fingerAt(table, i)?.peer !== trueSuccessor(space, members, start).peer) wrong++
  }
  return wrong
}
