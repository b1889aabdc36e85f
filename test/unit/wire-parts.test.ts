import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import { StreamReader } from '../../node/host/stream-reader.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { ByteWriter, varint } from '../../node/wire/bytes.ts'
import { encodeParts, partsLength } from '../../node/wire/codec.ts'
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeParts } from '../../node/wire/envelope.ts'
import { seal } from '../../protocols/chunk-exchange/manifest.ts'
import { chunkCodec, encodeChunkMsg, type ChunkMsg } from '../../protocols/chunk-exchange/messages.ts'

/**
 * The zero-copy send path: a codec's parts, the envelope around parts, and a stream
 * reader fed multi-part messages must produce exactly the bytes (and frames) of the
 * one-buffer path, with a piece's block passed on by reference.
 */
const SEED = Number(process.env.SEED ?? 1 + Math.floor(Math.random() * 1e6))

const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))

const manifest = { name: 'f', size: 1_000_000, chunkSize: 262_144, hashes: [0, 1, 2, 3].map(i => new Uint8Array(32).fill(i)) }
const link = seal(manifest).link

describe(`wire parts: zero-copy encoding and multi-part reads (seed=${SEED})`, () => {
  it('every chunk message encodes to the same bytes as parts, and a piece keeps its block by reference', () => {
    const random = new SeededRandom(SEED)
    const block = random.bytes(65_536)
    const msgs: ChunkMsg[] = [
      { type: 'piece', sid: 2 ** 31 - 1, index: 3, begin: 196_608, data: block },
      { type: 'piece', sid: 1, index: 0, begin: 0, data: block.subarray(10, 11) },
      { type: 'request', sid: 7, index: 1, begin: 65_536, length: 65_536 },
      { type: 'have', sid: 7, index: 2 },
      { type: 'handshake', sid: 9, link },
      { type: 'bitfield', sid: 9, bits: new Uint8Array([0xf0]) }
    ]
    for (const m of msgs) {
      const parts = encodeParts(chunkCodec, m)
      assert.deepEqual(concat(parts), encodeChunkMsg(m), m.type)
      assert.equal(partsLength(parts), encodeChunkMsg(m).length)
      if (m.type === 'piece') {
        assert.equal(parts.length, 2)
        assert.equal(parts[1], m.data, 'the block is the caller\'s array, not a copy')
        assert.equal(parts[1].buffer, block.buffer)
      } else {
        assert.equal(parts.length, 1)
      }
    }
  })

  it('an envelope around parts equals the envelope around the joined payload, for every kind with a payload', () => {
    const random = new SeededRandom(SEED)
    for (let round = 0; round < 200; round++) {
      const payload = random.bytes(random.int(300))
      const cut = random.int(payload.length + 1)
      const parts = [payload.subarray(0, cut), payload.subarray(cut)]
      const id = random.int(2 ** 31)
      for (const kind of ['message', 'request', 'response'] as const) {
        const joined = kind === 'message' ? encodeEnvelope({ kind, payload }) : encodeEnvelope({ kind, id, payload })
        const viaParts = concat(encodeEnvelopeParts(kind, id, parts))
        assert.deepEqual(viaParts, joined, `reproduce with SEED=${SEED}: round ${round} ${kind}`)
        const back = decodeEnvelope(viaParts)
        assert.equal(back.kind, kind)
        assert.deepEqual('payload' in back ? back.payload : undefined, payload)
      }
    }
  })

  it('ByteWriter.finish returns a view of a mostly full buffer and a trimmed copy of a mostly empty or small one', () => {
    const full = new ByteWriter(128).u32(1).u16(2).raw(new Uint8Array(60))
    const a = full.finish()
    assert.deepEqual([...a.subarray(0, 6)], [0, 0, 0, 1, 0, 2])
    assert.equal(a.length, 66)
    assert.equal(a.buffer.byteLength, 128, 'view: no copy')
    // At most 64 bytes V8 keeps the array on its heap, where a view costs more than a copy.
    const small = new ByteWriter(8).u32(1).u16(2)
    const s = small.finish()
    assert.deepEqual([...s], [0, 0, 0, 1, 0, 2])
    assert.equal(s.buffer.byteLength, 6, 'small: trimmed copy')
    const sparse = new ByteWriter(1024).u8(5)
    const b = sparse.finish()
    assert.deepEqual([...b], [5])
    assert.equal(b.buffer.byteLength, 1, 'copy: does not pin 1 KiB for one byte')
    // Growth past the initial size still yields exactly the bytes written.
    const grown = new ByteWriter(2)
    for (let i = 0; i < 100; i++) grown.u8(i)
    assert.deepEqual([...grown.finish()], Array.from({ length: 100 }, (_, i) => i))
  })

  it('a stream reader reassembles frames that arrive as multi-part lists, split anywhere', async () => {
    const random = new SeededRandom(SEED)
    const [out, inn] = await streamPair()
    let listEvents = 0
    inn.addEventListener('message', (evt) => { if (!((evt as Event & { data: unknown }).data instanceof Uint8Array)) listEvents++ })
    const reader = new StreamReader(inn, { highWater: 1 << 20, lowWater: 1 << 18 })
    const frames = Array.from({ length: 40 }, () => random.bytes(1 + random.int(70_000)))
    const wire = concat(frames.flatMap(f => [varint(f.length), f]))
    // Send it as lists of arbitrary cut points, several parts per message.
    for (let off = 0; off < wire.length;) {
      const list = new Uint8ArrayList()
      for (let k = 0; k < 1 + random.int(4) && off < wire.length; k++) {
        const n = Math.min(wire.length - off, 1 + random.int(50_000))
        list.append(wire.subarray(off, off + n))
        off += n
      }
      if (!out.send(list as unknown as Parameters<typeof out.send>[0])) await out.onDrain()
    }
    await out.close()
    for (let i = 0; i < frames.length; i++) {
      const f = await reader.frame(1 << 20)
      assert.ok(f !== null, `reproduce with SEED=${SEED}: stream ended before frame ${i}`)
      assert.deepEqual(f, frames[i], `reproduce with SEED=${SEED}: frame ${i} differs`)
    }
    assert.equal(await reader.frame(1 << 20), null)
    assert.ok(listEvents > 0, 'the reader saw multi-part messages (the case under test)')
  })
})
