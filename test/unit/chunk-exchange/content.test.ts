import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { chunksOf, hashStream } from '../../../protocols/chunk-exchange/chunker.ts'
import { chunkLength, decodeManifest, encodeManifest, linkOf, parseLink, seal, unseal, type Link } from '../../../protocols/chunk-exchange/manifest.ts'
import { ChunkError } from '../../../protocols/chunk-exchange/errors.ts'
import { WireError } from '../../../node/errors.ts'
import { SeededRandom } from '../../../node/ports/random.ts'

async function * pieces (data: Uint8Array, random: SeededRandom): AsyncIterable<Uint8Array> {
  let off = 0
  while (off < data.length) {
    const n = 1 + random.int(5000)
    yield data.subarray(off, off + n)
    off += n
  }
}

describe('content: chunking, manifest, link', () => {
  it('cuts a stream of odd-sized pieces into fixed chunks (last shorter) with per-chunk SHA-256', async () => {
    const random = new SeededRandom(3)
    const data = random.bytes(100_000)
    const chunks: Uint8Array[] = []
    for await (const c of chunksOf(pieces(data, random), 16_384)) chunks.push(c.slice())
    assert.equal(chunks.length, 7)
    assert.ok(chunks.slice(0, 6).every(c => c.length === 16_384))
    assert.equal(chunks[6].length, 100_000 - 6 * 16_384)
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(data))
    const h = await hashStream(pieces(data, random), { name: 'x.bin', chunkSize: 16_384 })
    assert.equal(h.manifest.hashes.length, 7)
    assert.deepEqual(Buffer.from(h.manifest.hashes[6]), createHash('sha256').update(chunks[6]).digest())
    assert.equal(h.fileSha256, createHash('sha256').update(data).digest('hex'))
    assert.equal(chunkLength(h.manifest, 6), 100_000 - 6 * 16_384)
  })

  it('hashes a large stream in O(chunk) memory', async () => {
    // 256 MiB of generated pieces: holding them would cost >= 256 MiB; garbage not yet
    // collected makes the real peak noisy, so the bound is loose but far below the whole.
    const piece = new Uint8Array(1024 * 1024).fill(7)
    async function * big (): AsyncIterable<Uint8Array> { for (let i = 0; i < 256; i++) yield piece }
    const before = process.memoryUsage().arrayBuffers
    let peak = 0
    const h = await hashStream(big(), { name: 'big', chunkSize: 256 * 1024, onChunk: () => { peak = Math.max(peak, process.memoryUsage().arrayBuffers - before) } })
    assert.equal(h.manifest.size, 256 * 1024 * 1024)
    assert.equal(h.manifest.hashes.length, 1024)
    assert.ok(peak < 160 * 1024 * 1024, `peak extra ${peak} bytes`)
  })

  it('round-trips a manifest; its CID (base32) is the link and only matching bytes unseal', async () => {
    const h = await hashStream((async function * () { yield new SeededRandom(1).bytes(40_000) })(), { name: 'été.txt', chunkSize: 10_000 })
    const s = seal(h.manifest)
    assert.match(s.link, /^bafkrei[a-z2-7]{52}$/)
    assert.deepEqual(decodeManifest(encodeManifest(h.manifest)), h.manifest)
    assert.equal(parseLink(`  ${s.link} `), s.link)
    assert.equal(unseal(s.link, s.bytes).manifest.name, 'été.txt')
    const tampered = s.bytes.slice(); tampered[tampered.length - 1] ^= 1
    assert.throws(() => unseal(s.link, tampered), (e: ChunkError) => e.code === 'bad-manifest')
    assert.equal(linkOf(s.bytes), s.link)
  })

  it('rejects bad links and inconsistent manifests with typed errors', () => {
    for (const bad of ['', 'hello', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi']) {
      assert.throws(() => parseLink(bad), (e: ChunkError) => e instanceof ChunkError && e.code === 'bad-link', bad)
    }
    const m = { name: 'a', size: 100, chunkSize: 10, hashes: [new Uint8Array(32)] }
    assert.throws(() => encodeManifest(m), (e: WireError) => e instanceof WireError && e.code === 'invalid')
    assert.throws(() => unseal('bafkreib' as Link, new Uint8Array(3)), ChunkError)
  })
})
