import assert from 'node:assert/strict'
import { Picker } from '../../../protocols/chunk-exchange/picker.ts'
import { Bitfield } from '../../../protocols/chunk-exchange/bitfield.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import type { PeerKey } from '../../../node/ports/net.ts'

const P = (s: string): PeerKey => s as PeerKey
const CHUNK = 64 * 1024
const BLOCK = 16 * 1024

function picker (chunks: number, seed: number, randomFirst = 0): Picker {
  return new Picker({ chunkCount: chunks, chunkLength: () => CHUNK, blockSize: BLOCK, have: new Bitfield(chunks), random: new SeededRandom(seed), randomFirst })
}

function bits (n: number, set: number[]): Bitfield {
  const b = new Bitfield(n)
  for (const i of set) b.add(i)
  return b
}

describe('picker: rarest first', () => {
  it('picks a rarest chunk the peer has, from availability kept incrementally', () => {
    const pk = picker(6, 1)
    pk.peerBitfield(P('x'), bits(6, [0, 1, 2, 3, 4, 5]))
    pk.peerBitfield(P('a'), bits(6, [0, 1, 2, 4, 5]))
    pk.peerBitfield(P('b'), bits(6, [0, 1, 2, 4]))
    pk.peerHas(P('c'), 5)
    pk.peerHas(P('c'), 4)
    // availability: 0,1,2 -> 3; 3 -> 1; 4 -> 4; 5 -> 3
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(i => pk.availability(i)), [3, 3, 3, 1, 4, 3])
    const first = pk.next(P('x'), 1)
    assert.equal(first[0].index, 3)
    // A peer leaving lowers the counts of everything it had.
    pk.removePeer(P('b'))
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(i => pk.availability(i)), [2, 2, 2, 1, 3, 3])
  })

  it('knows in O(1) whether every chunk is held by some neighbour, also for a seed that holds them all', () => {
    const pk = new Picker({ chunkCount: 4, chunkLength: () => CHUNK, blockSize: BLOCK, have: bits(4, [0, 1, 2, 3]), random: new SeededRandom(1), randomFirst: 0 })
    assert.equal(pk.allHeldByPeers(), false)
    pk.peerBitfield(P('a'), bits(4, [0, 1]))
    pk.peerHas(P('b'), 1)
    pk.peerHas(P('b'), 2)
    assert.equal(pk.allHeldByPeers(), false, 'chunk 3 is held by nobody')
    pk.peerHas(P('b'), 3)
    assert.equal(pk.allHeldByPeers(), true)
    pk.removePeer(P('a'))
    assert.equal(pk.allHeldByPeers(), false, 'chunk 0 left with a')
    pk.peerHas(P('c'), 0)
    assert.equal(pk.allHeldByPeers(), true)
  })

  it('breaks ties at random (seeded; both outcomes occur)', () => {
    const seen = new Set<number>()
    for (let seed = 1; seed <= 40; seed++) {
      const pk = picker(4, seed)
      pk.peerBitfield(P('x'), bits(4, [0, 1, 2, 3]))
      pk.peerBitfield(P('a'), bits(4, [0, 3]))
      // 1 and 2 are the rarest (count 1) and tie.
      const got = pk.next(P('x'), 1)[0].index
      assert.ok(got === 1 || got === 2, `reproduce with seed=${seed}: picked ${got}`)
      seen.add(got)
    }
    assert.deepEqual([...seen].sort(), [1, 2])
  })

  it('picks the first chunks at random, not rarest, until it has randomFirst chunks', () => {
    const picked = new Set<number>()
    for (let seed = 1; seed <= 30; seed++) {
      const pk = picker(8, seed, 4)
      pk.peerBitfield(P('x'), bits(8, [0, 1, 2, 3, 4, 5, 6, 7]))
      pk.peerBitfield(P('a'), bits(8, [0, 1, 2, 3, 4, 5, 6]))
      picked.add(pk.next(P('x'), 1)[0].index)
    }
    assert.ok(picked.size > 2, `random first chunk: saw ${[...picked].join(',')}`)
  })

  it('finishes started chunks before starting new ones, even rarer ones', () => {
    const pk = picker(4, 5)
    pk.peerBitfield(P('a'), bits(4, [0, 1, 2, 3]))
    pk.peerBitfield(P('b'), bits(4, [0, 1, 2, 3]))
    pk.peerBitfield(P('c'), bits(4, [0, 1, 2]))
    const fromA = pk.next(P('a'), 1)
    assert.equal(fromA[0].index, 3)
    pk.peerHas(P('d'), 3); pk.peerHas(P('e'), 3); pk.peerHas(P('f'), 3) // chunk 3 is now the most common
    const fromB = pk.next(P('b'), 3)
    assert.deepEqual(fromB.map(b => [b.index, b.begin]), [[3, BLOCK], [3, 2 * BLOCK], [3, 3 * BLOCK]])
  })

  it('enters endgame when every missing block is outstanding, asks other peers too, and cancels duplicates', () => {
    const pk = picker(2, 9)
    pk.peerBitfield(P('a'), bits(2, [0, 1]))
    pk.peerBitfield(P('b'), bits(2, [0, 1]))
    const fromA = pk.next(P('a'), 8)
    assert.equal(fromA.length, 8)
    assert.equal(pk.inEndgame(), true)
    const fromB = pk.next(P('b'), 8)
    assert.equal(fromB.length, 8, 'endgame: the same blocks are asked of b')
    const blk = fromA[0]
    const r1 = pk.blockReceived(P('a'), blk.index, blk.begin, blk.length)
    assert.deepEqual(r1, { accepted: true, chunkComplete: false, cancels: [P('b')] })
    const r2 = pk.blockReceived(P('b'), blk.index, blk.begin, blk.length)
    assert.equal(r2.accepted, false, 'the cancelled duplicate is not used')
    assert.equal(pk.outstanding(P('b')), 7)
    // Not endgame before: with a chunk left unstarted, b gets new work, not duplicates.
    const pk2 = picker(3, 9)
    pk2.peerBitfield(P('a'), bits(3, [0, 1, 2]))
    pk2.peerBitfield(P('b'), bits(3, [0, 1, 2]))
    const aChunks = new Set(pk2.next(P('a'), 8).map(b => b.index))
    assert.equal(pk2.inEndgame(), false)
    const fromB2 = pk2.next(P('b'), 4)
    assert.equal(fromB2.length, 4, 'the unstarted chunk first, no duplicates')
    assert.ok(fromB2.every(b => !aChunks.has(b.index)))
  })

  it('re-requests the blocks of a peer that choked us, and restarts a chunk that failed its hash', () => {
    const pk = picker(1, 2)
    pk.peerBitfield(P('a'), bits(1, [0]))
    pk.peerBitfield(P('b'), bits(1, [0]))
    pk.next(P('a'), 2)
    pk.dropRequests(P('a'))
    const fromB = pk.next(P('b'), 4)
    assert.equal(fromB.length, 4)
    for (const b of fromB) pk.blockReceived(P('b'), b.index, b.begin, b.length)
    assert.deepEqual(pk.chunkFailed(0), [P('b')])
    assert.equal(pk.next(P('a'), 4).length, 4, 'the failed chunk is fetched again')
    assert.equal(pk.interestedIn(P('a')), true)
    pk.chunkVerified(0)
    assert.equal(pk.interestedIn(P('a')), false)
    assert.equal(pk.have.complete, true)
  })
})

describe('picker: slow peers, chokes and endgame limits', () => {
  function limited (chunks: number, seed: number): Picker {
    return new Picker({ chunkCount: chunks, chunkLength: () => CHUNK, blockSize: BLOCK, have: new Bitfield(chunks), random: new SeededRandom(seed), randomFirst: 0, endgameBlocks: 4, endgameCopies: 2 })
  }

  it('enters endgame only with at most endgameBlocks missing, and asks each block of at most endgameCopies peers', () => {
    const pk = limited(2, 3)
    for (const p of ['a', 'b', 'c']) pk.peerBitfield(P(p), bits(2, [0, 1]))
    const fromA = pk.next(P('a'), 8)
    assert.equal(fromA.length, 8)
    assert.equal(pk.inEndgame(), false, 'every block requested, but 8 missing > 4')
    assert.equal(pk.next(P('b'), 8).length, 0, 'no duplicates before endgame')
    for (const b of fromA.slice(0, 4)) pk.blockReceived(P('a'), b.index, b.begin, b.length)
    assert.equal(pk.inEndgame(), true, '4 missing')
    const dupB = pk.next(P('b'), 8)
    assert.equal(dupB.length, 4, 'b duplicates the 4 missing blocks')
    assert.equal(pk.next(P('c'), 8).length, 0, 'each already asked of two peers: c gets none')
  })

  it('accepts a block dropped on a choke if it still arrives, and asks others for such blocks only when nothing else is left', () => {
    const pk = limited(2, 4)
    pk.peerBitfield(P('a'), bits(2, [0, 1]))
    pk.peerBitfield(P('b'), bits(2, [0, 1]))
    const fromA = pk.next(P('a'), 2)
    const dropped = pk.dropRequests(P('a'))
    assert.deepEqual(dropped, fromA, 'choked: both dropped')
    // b gets the other blocks first, the ones a may still be sending last.
    const fromB = pk.next(P('b'), 8)
    assert.equal(fromB.length, 8)
    const key = (b: { index: number, begin: number }): string => `${b.index}/${b.begin}`
    assert.deepEqual(fromB.slice(-2).map(key), fromA.map(key), 'the dropped blocks come last')
    // a's late block is used, and b's request for it is cancelled.
    const late = pk.blockReceived(P('a'), fromA[0].index, fromA[0].begin, fromA[0].length)
    assert.deepEqual(late, { accepted: true, chunkComplete: false, cancels: [P('b')] })
    // A block never asked of a peer is still refused.
    const other = fromB[0]
    assert.equal(pk.blockReceived(P('a'), other.index, other.begin, other.length).accepted, false)
  })

  it('keeps the oldest request of a snubbed peer and returns the others to cancel', () => {
    const pk = limited(1, 5)
    pk.peerBitfield(P('a'), bits(1, [0]))
    const fromA = pk.next(P('a'), 3)
    const dropped = pk.dropRequests(P('a'), 1)
    assert.deepEqual(dropped, fromA.slice(1))
    assert.equal(pk.outstanding(P('a')), 1)
  })

  it('a peer that outpaces another takes over blocks queued behind that peer\'s first, never the first', () => {
    // Two chunks, so that 8 blocks are missing and endgame (4) does not apply.
    const pk = limited(2, 6)
    pk.peerBitfield(P('slow'), bits(2, [0, 1]))
    const queued = pk.next(P('slow'), 4)
    assert.equal(queued.length, 4)
    const chunk = queued[0].index
    pk.peerBitfield(P('fast'), bits(2, [chunk]))
    const taken: Array<{ index: number, begin: number, length: number, from: PeerKey }> = []
    assert.equal(pk.next(P('fast'), 4, () => false, taken).length, 0, 'not faster: nothing moves')
    const got = pk.next(P('fast'), 4, other => other === P('slow'), taken)
    assert.deepEqual(got, queued.slice(1), 'the three queued behind the first')
    assert.deepEqual(taken.map(t => t.from), ['slow', 'slow', 'slow'])
    assert.equal(pk.outstanding(P('slow')), 1)
    assert.equal(pk.outstanding(P('fast')), 3)
  })
})
