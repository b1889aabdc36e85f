import assert from 'node:assert/strict'
import { ringId, ringSpace } from '../../../protocols/dht/ids.ts'
import type { NodeRef } from '../../../protocols/dht/node-ref.ts'
import type { IndexEntry } from '../../../protocols/dht/record-store.ts'
import { keepsCopy, ownerGroup, staleCandidates } from '../../../protocols/dht/repair.ts'
import { ownerDuringJoins, sortedMembers, wrongFingers } from '../../../protocols/dht/invariants.ts'
import { fingerFound, emptyFingers } from '../../../protocols/dht/fingers.ts'
import { asPeerKey, type PeerKey } from '../../../node/ports/net.ts'

const S4 = ringSpace(4)
const n = (id: number): NodeRef => ({ id: ringId(S4, id), peer: asPeerKey(`n${id}`) })
/** An index whose keys are named by their ring id ("k5" sits at 5). */
const index = (ids: number[]): Map<string, IndexEntry> => new Map(ids.map(id => [`k${id}`, { id: ringId(S4, id), ver: 1 }]))

describe('dht repair: stale-copy candidates and the checks before dropping one (m = 4, by hand)', () => {
  // Ring 1, 4, 8, 11, 14; replicas 2. Member 11 may hold keys of itself and of its two
  // predecessors 4 and 8: (1, 11]. Its third predecessor is 1, the start of that range.
  const ix = index([0, 1, 2, 5, 9, 11, 12, 15])

  it('candidates are the keys outside (rangeStart, self], clockwise from self, so one owner\'s keys form a run', () => {
    assert.deepEqual(staleCandidates(S4, ix, n(11), n(1)), ['k12', 'k15', 'k0', 'k1'])
    // A member whose range covers every key has none.
    assert.deepEqual(staleCandidates(S4, ix, n(11), n(11)), [])
  })

  it('a group is the run of candidates the first one\'s owner also owns', () => {
    const cands = staleCandidates(S4, ix, n(11), n(1))
    // k12's owner is 14: k12 alone (k15 belongs to 1).
    assert.deepEqual(ownerGroup(S4, ix, cands, n(14)), ['k12'])
    // k15, k0 and k1 all belong to 1 (wrapping round zero).
    assert.deepEqual(ownerGroup(S4, ix, cands.slice(1), n(1)), ['k15', 'k0', 'k1'])
  })

  it('a copy is kept when we are the owner or one of its first replicas successors, or when the answer is too short to tell', () => {
    assert.equal(keepsCopy([n(14), n(1), n(4)], n(4), 2), true)
    assert.equal(keepsCopy([n(14), n(1), n(4)], n(8), 2), false)
    assert.equal(keepsCopy([n(14), n(1)], n(8), 2), true)
    assert.equal(keepsCopy([n(14), n(1), n(4), n(8)], n(8), 2), false)
  })
})

describe('dht oracles used by the churn test and the bench', () => {
  const base = sortedMembers([n(1), n(8), n(14)])
  const joiners = new Map<PeerKey, NodeRef>([[n(5).peer, n(5)], [n(3).peer, n(3)]])

  it('an answer during joins is right when it owns the key in base plus some subset of the joiners', () => {
    const key = ringId(S4, 2)
    assert.equal(ownerDuringJoins(S4, base, joiners, key, n(8).peer), true, 'the owner before the joins')
    assert.equal(ownerDuringJoins(S4, base, joiners, key, n(3).peer), true, 'the owner after both joins')
    assert.equal(ownerDuringJoins(S4, base, joiners, key, n(5).peer), true, 'the owner after joiner 5 only')
    assert.equal(ownerDuringJoins(S4, base, joiners, key, n(14).peer), false, 'an overshoot')
    assert.equal(ownerDuringJoins(S4, base, joiners, key, n(1).peer), false, 'a member before the key')
    assert.equal(ownerDuringJoins(S4, base, joiners, ringId(S4, 9), n(5).peer), false, 'a joiner before the key')
    assert.equal(ownerDuringJoins(S4, base, joiners, key, asPeerKey('crashed')), false, 'a peer in no membership')
  })

  it('wrongFingers counts the finger indices beyond the successor that differ from the ideal table', () => {
    // Member 1 in ring 1, 8, 14: finger starts 2, 3, 5, 9 -> successors 8, 8, 8, 14; 2..8 are the successor.
    assert.equal(wrongFingers(S4, base, n(1), []), 1)
    const t = fingerFound(S4, n(1).id, emptyFingers, 3, n(14))
    assert.equal(wrongFingers(S4, base, n(1), t.entries), 0)
    assert.equal(wrongFingers(S4, base, n(1), [{ from: 3, node: n(8) }]), 1)
  })
})
