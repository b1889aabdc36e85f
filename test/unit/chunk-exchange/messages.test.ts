import assert from 'node:assert/strict'
import { chunkCodec, MAX_MESSAGE_BYTES, type ChunkMsg } from '../../../protocols/chunk-exchange/messages.ts'
import { invalidFor } from '../../../protocols/chunk-exchange/wire-checks.ts'
import { seal } from '../../../protocols/chunk-exchange/manifest.ts'
import { WireError } from '../../../node/errors.ts'
import { SeededRandom } from '../../../node/ports/random.ts'

const manifest = { name: 'f', size: 100_000, chunkSize: 32_768, hashes: [0, 1, 2, 3].map(i => new Uint8Array(32).fill(i)) }
const link = seal(manifest).link

const samples: ChunkMsg[] = [
  { type: 'handshake', sid: 12345, link },
  { type: 'bitfield', sid: 1, bits: new Uint8Array([0b10100000]) },
  { type: 'have', sid: 2, index: 3 },
  { type: 'interested', sid: 3 },
  { type: 'not-interested', sid: 3 },
  { type: 'choke', sid: 4 },
  { type: 'unchoke', sid: 4 },
  { type: 'request', sid: 5, index: 1, begin: 16384, length: 16384 },
  { type: 'piece', sid: 5, index: 1, begin: 16384, data: new SeededRandom(1).bytes(16384) },
  { type: 'cancel', sid: 5, index: 1, begin: 16384, length: 16384 },
  { type: 'keepalive' },
  { type: 'leave', sid: 9 },
  { type: 'manifest-get', link },
  { type: 'manifest', link, size: seal(manifest).bytes.length },
  { type: 'announce', link, seed: true, addrs: ['/ip4/127.0.0.1/tcp/4001'], want: 50 },
  { type: 'peers', peers: [{ peer: '12D3KooWabc', addrs: ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'] }, { peer: 'x', addrs: [] }] }
]

const norm = (m: ChunkMsg): unknown => JSON.parse(JSON.stringify(m, (_k, v: unknown) => v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))

describe('chunk-exchange codec', () => {
  it('round-trips every message type', () => {
    for (const m of samples) assert.deepEqual(norm(chunkCodec.decode(chunkCodec.encode(m))), norm(m), m.type)
  })

  it('rejects unknown types, trailing bytes, zero-length blocks, oversized blocks and frames', () => {
    const bad: Array<[Uint8Array, WireError['code']]> = [
      [new Uint8Array([99]), 'unknown-type'],
      [new Uint8Array([...chunkCodec.encode({ type: 'have', sid: 1, index: 2 }), 0]), 'invalid'],
      [new Uint8Array([7, 1, 0, 0, 0]), 'invalid'],
      [new Uint8Array([7, 1, 0, 0, 0x81, 0x80, 0x10]), 'oversized'],
      [new Uint8Array([8, 1, 0, 0]), 'invalid'],
      [chunkCodec.encode({ type: 'piece', sid: 1, index: 0, begin: 0, data: new Uint8Array(200 * 1024) }), 'oversized'],
      [new Uint8Array(MAX_MESSAGE_BYTES + 1), 'oversized'],
      [new Uint8Array([0, 1, 3, 1, 2, 3]), 'invalid']
    ]
    for (const [bytes, code] of bad) assert.throws(() => chunkCodec.decode(bytes), (e: WireError) => e instanceof WireError && e.code === code, `expected ${code}`)
  })

  it('fuzz: truncated, mutated and random frames decode to a valid message or throw WireError, never anything else', () => {
    const seed = 42
    const random = new SeededRandom(seed)
    let rejected = 0
    for (let round = 0; round < 3000; round++) {
      const base = chunkCodec.encode(samples[random.int(samples.length)])
      let b: Uint8Array
      switch (random.int(3)) {
        case 0: b = base.subarray(0, random.int(base.length)); break
        case 1: b = base.slice(); for (let k = 0; k < 1 + random.int(4); k++) b[random.int(b.length)] = random.int(256); break
        default: b = random.bytes(random.int(64))
      }
      try {
        const m = chunkCodec.decode(b)
        // Whatever decodes must re-encode to a frame that decodes to the same message.
        assert.deepEqual(norm(chunkCodec.decode(chunkCodec.encode(m))), norm(m))
      } catch (e) {
        assert.ok(e instanceof WireError, `reproduce with seed=${seed}: round ${round} threw ${String(e)}`)
        rejected++
      }
    }
    assert.ok(rejected > 1000)
  })

  it('checks swarm messages against the manifest: index range, block inside chunk, bitfield size', () => {
    const max = 16384
    assert.equal(invalidFor({ type: 'have', sid: 1, index: 3 }, manifest, max), undefined)
    assert.match(invalidFor({ type: 'have', sid: 1, index: 4 }, manifest, max) ?? '', /out of range/)
    assert.match(invalidFor({ type: 'request', sid: 1, index: 3, begin: 0, length: 16384 }, manifest, max) ?? '', /outside chunk 3/)
    assert.equal(invalidFor({ type: 'request', sid: 1, index: 3, begin: 0, length: 100_000 - 3 * 32768 }, manifest, max), undefined)
    assert.match(invalidFor({ type: 'request', sid: 1, index: 0, begin: 0, length: 32768 }, manifest, max) ?? '', /exceeds/)
    assert.match(invalidFor({ type: 'piece', sid: 1, index: 1, begin: 32000, data: new Uint8Array(1000) }, manifest, max) ?? '', /outside/)
    assert.equal(invalidFor({ type: 'bitfield', sid: 1, bits: new Uint8Array([0xf0]) }, manifest, max), undefined)
    assert.match(invalidFor({ type: 'bitfield', sid: 1, bits: new Uint8Array([0xf8]) }, manifest, max) ?? '', /does not fit/)
    assert.match(invalidFor({ type: 'bitfield', sid: 1, bits: new Uint8Array([0xf0, 0]) }, manifest, max) ?? '', /does not fit/)
  })
})
