import assert from 'node:assert/strict'
import type { NetEvent, NetPort, PeerKey } from '../../../node/ports/net.ts'
import { MAX_BLOCK_SIZE, MAX_CHUNK_SIZE, MAX_CHUNKS, MAX_MANIFEST_BYTES } from '../../../protocols/chunk-exchange/constants.ts'
import { parseLink } from '../../../protocols/chunk-exchange/manifest.ts'
import { chunkCodec, chunkWire, MAX_ADDRS_PER_PEER, MAX_MESSAGE_BYTES, MAX_PEERS_PER_REPLY, MAX_SID, type ChunkMsg } from '../../../protocols/chunk-exchange/messages.ts'
import type { Progress } from '../../../protocols/chunk-exchange/progress.ts'
import { bytesOf, simSwarm } from './sim-helpers.ts'

/**
 * Manifests ride bulk streams (manifest-transfer.ts), so the chunk protocol's frame limit
 * only has to hold its largest frame message, and a manifest larger than that limit still
 * reaches a leecher; a peer streaming bytes that do not match the link is struck while
 * the leecher gets the manifest from an honest peer.
 */
describe('chunk exchange: manifests on bulk streams', function () {
  this.timeout(30_000)

  it('the frame limit holds every message at its decode bounds and is far below a manifest', () => {
    const link = parseLink('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
    const addrs = Array.from({ length: MAX_ADDRS_PER_PEER }, () => 'a'.repeat(256))
    const worst: ChunkMsg[] = [
      { type: 'piece', sid: MAX_SID, index: MAX_CHUNKS - 1, begin: MAX_CHUNK_SIZE - 1, data: new Uint8Array(MAX_BLOCK_SIZE) },
      { type: 'bitfield', sid: MAX_SID, bits: new Uint8Array(MAX_CHUNKS / 8) },
      { type: 'announce', link, seed: true, addrs, want: MAX_PEERS_PER_REPLY },
      { type: 'peers', peers: Array.from({ length: MAX_PEERS_PER_REPLY }, () => ({ peer: 'p'.repeat(128), addrs })) },
      { type: 'manifest', link, size: MAX_MANIFEST_BYTES }
    ]
    for (const m of worst) {
      const bytes = chunkCodec.encode(m)
      assert.ok(bytes.length <= MAX_MESSAGE_BYTES, `${m.type}: ${bytes.length} > ${MAX_MESSAGE_BYTES}`)
      assert.equal(chunkCodec.decode(bytes).type, m.type)
    }
    assert.equal(chunkWire.maxMessageBytes, MAX_MESSAGE_BYTES)
    assert.equal(chunkWire.maxBulkBytes, MAX_MANIFEST_BYTES)
    assert.ok(MAX_MESSAGE_BYTES < MAX_MANIFEST_BYTES / 4, `frame limit ${MAX_MESSAGE_BYTES} should be far below the manifest limit`)
  })

  it('a manifest larger than the frame limit reaches the leecher, and a bad manifest stream earns a strike', async () => {
    const sw = simSwarm(3)
    try {
      // 20,000 chunks of 1 KiB: a 640 KB manifest, beyond MAX_MESSAGE_BYTES.
      const seeder = await sw.add('seeder', { chunkSize: 1024, blockSize: 1024 })
      const data = bytesOf(20_000 * 1024 - 100, 3)
      const shared = await seeder.api.shareBytes('many-chunks.bin', data)
      assert.equal(shared.manifest.chunks, 20_000)
      const link = parseLink(shared.link)

      // A hostile holder: answers manifest-get with a stream of the right length but wrong bytes.
      const liar = sw.net.addHost('liar')
      let liarNet: NetPort<ChunkMsg> | undefined
      const size = 20_000 * 32 + 64
      liarNet = liar.port(chunkWire, async (ev: NetEvent<ChunkMsg>) => {
        if (ev.type !== 'net:request' || ev.msg.type !== 'manifest-get') return
        const to = ev.from
        void (async () => {
          const w = await (liarNet as NetPort<ChunkMsg>).openBulk(to, { type: 'manifest', link, size })
          await w.write(new Uint8Array(size).fill(7))
          await w.close()
          ev.respond.ok({ type: 'manifest', link, size })
        })().catch(() => { ev.respond.error('failed') })
      })

      const leecher = await sw.add('leecher', { chunkSize: 1024, blockSize: 1024 })
      sw.net.connect(leecher.key, 'liar' as PeerKey)
      await sw.clock.advance(2_000)
      sw.net.connect(leecher.key, seeder.key)
      const h = await leecher.api.get(shared.link)
      let latest: Progress | undefined
      void (async () => { for await (const p of h.progress) latest = p })()
      const ok = await sw.clock.runWhile(() => latest === undefined || latest.chunks === 0, 60_000)
      assert.ok(ok, `manifest never arrived; last progress ${JSON.stringify(latest)}`)
      assert.equal(latest?.chunks, 20_000)
      assert.equal(latest?.size, data.length)
      const stored = await leecher.store.sublevel('chunks').get(`m/${shared.link}`)
      assert.ok(stored !== undefined && stored.length > MAX_MESSAGE_BYTES, `stored manifest of ${stored?.length} bytes`)
      assert.ok((leecher.host.strikes.get('liar' as PeerKey) ?? 0) >= 1, 'the liar was struck')
      assert.equal(leecher.host.strikes.get(seeder.key) ?? 0, 0)
      await leecher.api.stop(shared.link)
    } finally {
      await sw.stop()
    }
  })
})
