import assert from 'node:assert/strict'
import { ringId, ringSpace, inOpenClosed, type RingSpace } from '../../../protocols/dht/ids.ts'
import type { NodeRef } from '../../../protocols/dht/node-ref.ts'
import {
  adoptCloser, dropPeer, joined, lone, mergeSuccessors, predecessorDead, rectified, stabilized, stabilizeTarget, type RingState
} from '../../../protocols/dht/ring.ts'
import { converged, safety } from '../../../protocols/dht/invariants.ts'
import { fingerAt, fingerFound, emptyFingers, nextFingerToFix } from '../../../protocols/dht/fingers.ts'
import { routeStep, CandidatePool } from '../../../protocols/dht/router.ts'
import { asPeerKey, type PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'

const S4 = ringSpace(4)
const node = (space: RingSpace, id: number): NodeRef => ({ id: ringId(space, id), peer: asPeerKey(`n${id}`) })
const n = (id: number): NodeRef => node(S4, id)
const peers = (ns: readonly NodeRef[]): string[] => ns.map(x => x.peer)

/** The converged ring of the given ids (m = 4), r successors each. */
function ideal (ids: number[], r: number): Map<PeerKey, RingState> {
  const sorted = [...ids].sort((a, b) => a - b)
  const m = new Map<PeerKey, RingState>()
  sorted.forEach((id, i) => {
    const succs = Array.from({ length: Math.min(r, sorted.length - 1) }, (_, k) => n(sorted[(i + 1 + k) % sorted.length]))
    m.set(n(id).peer, { self: n(id), pred: n(sorted[(i - 1 + sorted.length) % sorted.length]), succs })
  })
  return m
}

describe('chord ring rules (Zave), checked by hand at m = 4', () => {
  it('successor lists stop at self, at repetitions and at r (rings smaller than r + 1)', () => {
    assert.deepEqual(peers(mergeSuccessors(S4, n(4), n(5), [n(8), n(11), n(14)], 3)), ['n5', 'n8', 'n11'])
    // Ring of 3 with r = 4: the list wraps back to self and stops there.
    assert.deepEqual(peers(mergeSuccessors(S4, n(4), n(8), [n(11), n(4), n(8)], 4)), ['n8', 'n11'])
    // Out-of-order tail entries (a stale list) are cut, so a list is ordered by construction.
    assert.deepEqual(peers(mergeSuccessors(S4, n(4), n(8), [n(6), n(11)], 4)), ['n8'])
    const all = ideal([4, 8, 11], 4)
    assert.deepEqual(converged(S4, all, 4), [])
    assert.deepEqual(peers(all.get(asPeerKey('n4'))?.succs ?? []), ['n8', 'n11'])
  })

  it('a ring of one grows to two: join copies the successor\'s list, rectify sets predecessors', () => {
    let a = lone(n(3))
    let b = joined(S4, n(9), n(3), a.succs, 3)
    assert.deepEqual(peers(b.succs), ['n3'])
    a = rectified(S4, a, n(9), false).state
    assert.equal(a.pred?.peer, 'n9')
    const t = stabilizeTarget(a)
    assert.equal(t.target?.peer, 'n9', 'a lone member with a predecessor stabilizes with it')
    a = stabilized(S4, t.state, n(9), b.pred, b.succs, 3).state
    assert.deepEqual(peers(a.succs), ['n9'])
    b = rectified(S4, b, n(3), false).state
    assert.deepEqual(converged(S4, new Map([[a.self.peer, a], [b.self.peer, b]]), 3), [])
  })

  it('the churn example: 4 loses 5, adopts 8, asks 8 for its successors, and 8 takes 4 as predecessor', () => {
    const ring = ideal([1, 4, 5, 8, 11, 14], 3)
    const four = ring.get(asPeerKey('n4')) as RingState
    assert.deepEqual(peers(four.succs), ['n5', 'n8', 'n11'])
    // 5 dies: stabilize at 4 finds it dead and drops it; 8 becomes the successor.
    const after = dropPeer(four, asPeerKey('n5'))
    assert.deepEqual(peers(after.succs), ['n8', 'n11'])
    const eight = ring.get(asPeerKey('n8')) as RingState
    // 8 still names dead 5 as predecessor: 5 is in (4, 8), so 4 would probe it; the probe fails.
    const st = stabilized(S4, after, n(8), eight.pred, eight.succs, 3)
    assert.equal(st.probe?.peer, 'n5')
    assert.deepEqual(peers(st.state.succs), ['n8', 'n11', 'n14'])
    // Rectify at 8: its predecessor 5 is dead, so 4 replaces it.
    const r8 = rectified(S4, eight, n(4), true)
    assert.equal(r8.changed, true)
    assert.equal(r8.state.pred?.peer, 'n4')
    // A live, closer predecessor is not replaced by a farther claimant.
    assert.equal(rectified(S4, r8.state, n(1), false).changed, false)
    assert.equal(predecessorDead(r8.state).pred, undefined)
  })

  it('stabilize adopts a joiner between us and our successor', () => {
    const ring = ideal([1, 4, 8, 11], 3)
    const j = joined(S4, n(6), n(8), (ring.get(asPeerKey('n8')) as RingState).succs, 3)
    assert.deepEqual(peers(j.succs), ['n8', 'n11', 'n1'])
    const eight = rectified(S4, ring.get(asPeerKey('n8')) as RingState, n(6), false).state
    const four = ring.get(asPeerKey('n4')) as RingState
    const st = stabilized(S4, four, n(8), eight.pred, eight.succs, 3)
    assert.equal(st.probe?.peer, 'n6')
    assert.deepEqual(peers(adoptCloser(S4, st.state, n(6), j.succs, 3).succs), ['n6', 'n8', 'n11'])
  })

  it('fingers: finger i is the successor of self + 2^i, stored once per distinct node', () => {
    const self = n(1)
    let t = emptyFingers
    // succ is 4: fingers 0 (2) and 1 (3) need no lookup.
    assert.equal(nextFingerToFix(S4, self.id, n(4), 0), 2)
    t = fingerFound(S4, self.id, t, 2, n(5)) // start 5 -> 5
    assert.equal(t.next, 3)
    t = fingerFound(S4, self.id, t, 3, n(11)) // start 9 -> 11
    assert.equal(t.next, 0)
    assert.equal(fingerAt(t, 2)?.peer, 'n5')
    assert.equal(fingerAt(t, 3)?.peer, 'n11')
  })

  it('routing: the owner answers done, others name closer members; dead ones are skipped', () => {
    const ring = ideal([1, 4, 5, 8, 11, 14], 3)
    const one = ring.get(asPeerKey('n1')) as RingState
    const fingers = fingerFound(S4, one.self.id, fingerFound(S4, one.self.id, emptyFingers, 2, n(5)), 3, n(11))
    const alive = (): boolean => false
    assert.deepEqual(routeStep(S4, one, fingers, ringId(S4, 3), alive, 3), { done: true, nodes: [n(4), n(5), n(8)] })
    const far = routeStep(S4, one, fingers, ringId(S4, 13), alive, 3)
    assert.equal(far.done, false)
    assert.deepEqual(peers(far.nodes), ['n11', 'n8', 'n5'])
    const dead11 = (p: PeerKey): boolean => p === 'n11'
    assert.deepEqual(peers(routeStep(S4, one, fingers, ringId(S4, 13), dead11, 3).nodes), ['n8', 'n5', 'n4'])
    // Owner dead: the next live successor owns its keys.
    assert.deepEqual(peers(routeStep(S4, one, emptyFingers, ringId(S4, 3), (p) => p === 'n4', 3).nodes), ['n5', 'n8'])
    const pool = new CandidatePool(S4, ringId(S4, 13))
    pool.add([n(5), n(11)])
    pool.add([n(8), n(14), n(12 % 16)], n(11)) // only members in (11, 13) are admitted from 11
    assert.equal(pool.next(() => false)?.peer, 'n12')
  })
})

describe('chord ring rules under random interleavings (pure model, m = 6)', () => {
  const S6 = ringSpace(6)

  /** Zave's operations on a world of pure states; returns safety violations after every step. */
  function run (seed: number): void {
    const rnd = new SeededRandom(seed)
    const r = 3
    const world = new Map<PeerKey, RingState>()
    const live = (): Map<PeerKey, RingState> => world
    const mk = (id: number): NodeRef => node(S6, id)
    const free = rnd.shuffle(Array.from({ length: 64 }, (_, i) => i))
    const first = mk(free.pop() as number)
    world.set(first.peer, lone(first))
    const principals = new Set<PeerKey>([first.peer])
    const bestSucc = (s: RingState): RingState => world.get(s.succs.find(x => world.has(x.peer))?.peer ?? s.self.peer) as RingState
    const lookup = (via: RingState, key: bigint): RingState => {
      let x = via
      for (let i = 0; i <= world.size; i++) {
        const s = bestSucc(x)
        if (s === x || inOpenClosed(S6, key as never, x.self.id, s.self.id)) return s
        x = s
      }
      return bestSucc(x)
    }
    const stabilize = (me: RingState): void => {
      let s = me
      while (s.succs.length > 0 && !world.has(s.succs[0].peer)) s = dropPeer(s, s.succs[0].peer)
      const t = stabilizeTarget(s)
      s = t.state
      if (t.target === undefined) { world.set(s.self.peer, s); return }
      const succ = world.get(t.target.peer) as RingState
      const st = stabilized(S6, s, succ.self, succ.pred, succ.succs, r)
      s = st.state
      let final = succ
      if (st.probe !== undefined && world.has(st.probe.peer)) {
        final = world.get(st.probe.peer) as RingState
        s = adoptCloser(S6, s, final.self, final.succs, r)
      }
      world.set(s.self.peer, s)
      const predDead = final.pred !== undefined && !world.has(final.pred.peer)
      world.set(final.self.peer, rectified(S6, final, s.self, predDead).state)
    }
    for (let step = 0; step < 600; step++) {
      const roll = rnd.next()
      const members = [...world.values()]
      if (roll < 0.12 && free.length > 0 && world.size < 24) {
        const j = mk(free.pop() as number)
        const succ = lookup(rnd.pick(members) as RingState, j.id)
        world.set(j.peer, joined(S6, j, succ.self, succ.succs, r))
      } else if (roll < 0.15 && world.size > r + 2) {
        // Fail a member only if no r consecutive members would be gone (Zave's assumption).
        // Here: every other member keeps a live successor-list entry besides the victim.
        const victim = rnd.pick(members) as RingState
        const ok = members.every(m => m === victim || m.succs.some(x => x.peer !== victim.self.peer && world.has(x.peer)))
        if (ok) {
          world.delete(victim.self.peer)
          principals.delete(victim.self.peer)
        }
      } else if (roll < 0.25) {
        const me = rnd.pick(members) as RingState
        if (me.pred !== undefined && !world.has(me.pred.peer)) world.set(me.self.peer, predecessorDead(me))
      } else {
        stabilize(rnd.pick(members) as RingState)
      }
      assert.deepEqual(safety(S6, live(), r, principals), [], `seed=${seed} step=${step}: reproduce with this seed`)
      if (converged(S6, live(), r).length === 0) for (const p of world.keys()) principals.add(p)
    }
    for (let round = 0; round < 200 && converged(S6, live(), r).length > 0; round++) {
      for (const me of [...world.values()]) {
        const cur = world.get(me.self.peer) as RingState
        if (cur.pred !== undefined && !world.has(cur.pred.peer)) world.set(cur.self.peer, predecessorDead(cur))
        stabilize(world.get(me.self.peer) as RingState)
        assert.deepEqual(safety(S6, live(), r, principals), [], `seed=${seed} final round ${round}`)
      }
    }
    assert.deepEqual(converged(S6, live(), r), [], `seed=${seed}: did not converge`)
  }

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`joins, failures and stabilizations in random order keep one ordered ring and converge (seed ${seed})`, () => { run(seed) })
  }
})
