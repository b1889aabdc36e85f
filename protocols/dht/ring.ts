import { distance, inOpen, type RingSpace } from './ids.ts'
import type { NodeRef } from './node-ref.ts'
import type { PeerKey } from '../../node/ports/net.ts'

/**
 * One member's view of the ring and the corrected Chord maintenance rules of Pamela Zave,
 * "Reasoning about identifier spaces: how to make Chord correct" (IEEE TSE 2017), as pure
 * functions of (state, input) -> state:
 *
 * - join: the joiner's successor list is its successor followed by that successor's list;
 * - stabilize: read the successor's predecessor and successor list, adopt the list, and
 *   if the predecessor sits between us and the successor, ask it too and adopt it;
 * - rectify (instead of notify): accept a new predecessor when there is none, when it is
 *   closer, or when the current one is dead;
 * - a dead successor is dropped and the next live entry adopted, then refilled from it.
 *
 * Rings smaller than r + 1: a successor list stops at the first repetition or at self, so
 * in a ring of n <= r members every list holds the n - 1 others, and a lone member has an
 * empty list (its successor is itself).
 */
export interface RingState {
  readonly self: NodeRef
  readonly pred?: NodeRef
  /** Nearest successors first; never contains self; at most r entries. */
  readonly succs: readonly NodeRef[]
}

export function successor (s: RingState): NodeRef {
  return s.succs[0] ?? s.self
}

export function isAlone (s: RingState): boolean {
  return s.succs.length === 0
}

/**
 * [head, ...tail] cut to a valid successor list for `self`: strictly clockwise-increasing
 * from self within one lap (so ordered by construction), stopping at self or the first
 * repetition (small rings), at most r entries.
 */
export function mergeSuccessors (space: RingSpace, self: NodeRef, head: NodeRef, tail: readonly NodeRef[], r: number): NodeRef[] {
  const out: NodeRef[] = []
  let last = 0n
  for (const n of [head, ...tail]) {
    if (out.length >= r || n.peer === self.peer) break
    const d = distance(space, self.id, n.id)
    if (d <= last) break
    out.push(n)
    last = d
  }
  return out
}

export function lone (self: NodeRef): RingState {
  return { self, succs: [] }
}

/** Zave's join: successor plus the successor's list; no predecessor until rectified. */
export function joined (space: RingSpace, self: NodeRef, succ: NodeRef, succSuccs: readonly NodeRef[], r: number): RingState {
  return { self, succs: mergeSuccessors(space, self, succ, succSuccs, r) }
}

/**
 * Who to stabilize with: the first successor. A member with no successor but a
 * predecessor (someone joined through it) takes the predecessor as its successor, which
 * is how a ring of one grows into a ring of two.
 */
export function stabilizeTarget (s: RingState): { state: RingState, target?: NodeRef } {
  if (s.succs.length > 0) return { state: s, target: s.succs[0] }
  if (s.pred !== undefined && s.pred.peer !== s.self.peer) {
    const state = { ...s, succs: [s.pred] }
    return { state, target: s.pred }
  }
  return { state: s }
}

/**
 * The successor `succ` answered with its predecessor and list: adopt succ + its list; when
 * its predecessor lies strictly between us and succ, that one is a better successor and
 * must be asked (`probe`) before adopting it.
 */
export function stabilized (space: RingSpace, s: RingState, succ: NodeRef, succPred: NodeRef | undefined, succSuccs: readonly NodeRef[], r: number): { state: RingState, probe?: NodeRef } {
  const state = { ...s, succs: mergeSuccessors(space, s.self, succ, succSuccs, r) }
  if (succPred !== undefined && succPred.peer !== s.self.peer && inOpen(space, succPred.id, s.self.id, succ.id)) {
    return { state, probe: succPred }
  }
  return { state }
}

/** The probed better successor answered: adopt it and its list. */
export function adoptCloser (space: RingSpace, s: RingState, closer: NodeRef, closerSuccs: readonly NodeRef[], r: number): RingState {
  return { ...s, succs: mergeSuccessors(space, s.self, closer, closerSuccs, r) }
}

/**
 * Zave's rectify: `n` believes it is our predecessor. Accept when we have none, when the
 * current one is dead, or when n lies between it and us.
 */
export function rectified (space: RingSpace, s: RingState, n: NodeRef, predDead: boolean): { state: RingState, changed: boolean } {
  if (n.peer === s.self.peer) return { state: s, changed: false }
  if (s.pred === undefined || predDead || inOpen(space, n.id, s.pred.id, s.self.id)) {
    if (s.pred?.peer === n.peer) return { state: s, changed: false }
    return { state: { ...s, pred: n }, changed: true }
  }
  return { state: s, changed: false }
}

/**
 * Who to nudge after rectify(n): whoever now has a stale successor. When n displaced a
 * live predecessor p, p's successor is now n (p lies before n); when n was refused, a
 * closer predecessor sits between n and us, so n's successor is wrong. Either way that
 * peer would only learn it at its next stabilize round, and a gap that k peers joined at
 * once would take k rounds to sort out (each round only the closest is accepted); nudged,
 * the gap sorts out at message speed.
 */
export function rectifyNudge (before: RingState, after: RingState, n: NodeRef, predDead: boolean): NodeRef | undefined {
  if (n.peer === before.self.peer) return undefined
  if (after.pred?.peer === n.peer) {
    const old = before.pred
    return old !== undefined && !predDead && old.peer !== n.peer ? old : undefined
  }
  return n
}

/**
 * A peer is known dead: drop it everywhere. A dead first successor leaves the next entry
 * as successor (the churn example: 4 loses 5, adopts 8), and stabilizing with it refills.
 */
export function dropPeer (s: RingState, peer: PeerKey): RingState {
  const succs = s.succs.filter(n => n.peer !== peer)
  const pred = s.pred?.peer === peer ? undefined : s.pred
  if (succs.length === s.succs.length && pred === s.pred) return s
  return { self: s.self, ...(pred !== undefined ? { pred } : {}), succs }
}

/** The predecessor stopped answering: forget it so rectify accepts the next claimant. */
export function predecessorDead (s: RingState): RingState {
  if (s.pred === undefined) return s
  return { self: s.self, succs: s.succs }
}
