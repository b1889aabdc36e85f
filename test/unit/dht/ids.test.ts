import assert from 'node:assert/strict'
import { addId, distance, hashId, idFromBytes, idFromHex, idToBytes, idToHex, inOpen, inOpenClosed, ringId, ringSpace, type RingId } from '../../../protocols/dht/ids.ts'

describe('dht ring ids', () => {
  it('interval helpers agree with a brute-force walk round the ring, for every triple at m = 1..5', () => {
    for (let bits = 1; bits <= 5; bits++) {
      const space = ringSpace(bits)
      const n = 1 << bits
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          // Walk clockwise from a (exclusive) to b: the members of (a, b]; a == b walks a full lap.
          const walk = new Set<number>()
          for (let x = (a + 1) % n, k = 0; k < n; x = (x + 1) % n, k++) { walk.add(x); if (x === b) break }
          for (let x = 0; x < n; x++) {
            const [X, A, B] = [x, a, b].map(v => ringId(space, v)) as [RingId, RingId, RingId]
            assert.equal(inOpenClosed(space, X, A, B), walk.has(x), `${x} in (${a}, ${b}] at m=${bits}`)
            assert.equal(inOpen(space, X, A, B), walk.has(x) && x !== b || (a === b && x !== a), `${x} in (${a}, ${b}) at m=${bits}`)
          }
        }
      }
    }
  })

  it('distance and addition wrap round', () => {
    const s = ringSpace(4)
    assert.equal(distance(s, ringId(s, 14), ringId(s, 2)), 4n)
    assert.equal(distance(s, ringId(s, 2), ringId(s, 14)), 12n)
    assert.equal(addId(s, ringId(s, 13), 8n), 5n)
    assert.equal(ringId(s, -1), 15n)
  })

  it('hashes to the top bits of SHA-256 and round-trips through bytes and hex', () => {
    const s160 = ringSpace(160)
    const s8 = ringSpace(8)
    const full = hashId(ringSpace(256), 'hello')
    assert.equal(full.toString(16).padStart(64, '0'), '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824')
    assert.equal(hashId(s8, 'hello'), 0x2cn)
    assert.equal(hashId(s160, 'hello'), full >> 96n)
    for (const s of [ringSpace(3), ringSpace(12), s160, ringSpace(256)]) {
      const id = hashId(s, 'some key')
      assert.equal(idFromBytes(s, idToBytes(s, id)), id)
      assert.equal(idFromHex(s, idToHex(s, id)), id)
      assert.equal(idToBytes(s, id).length, s.bytes)
    }
    assert.equal(idFromBytes(ringSpace(3), new Uint8Array([8])), undefined, 'out of range for 3 bits')
    assert.equal(idFromBytes(s8, new Uint8Array([1, 2])), undefined, 'wrong width')
    assert.throws(() => ringSpace(0), RangeError)
    assert.throws(() => ringSpace(257), RangeError)
  })
})
