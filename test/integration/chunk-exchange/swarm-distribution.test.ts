import assert from 'node:assert/strict'
import { join } from 'node:path'
import { createSwarm } from '../../../node/swarm.ts'
import { chunks, fileSha256, randomFile, tempDir, within } from './helpers.ts'

describe('chunk exchange over real libp2p (TCP, 127.0.0.1)', function () {
  this.timeout(90_000)

  it('1 seed and 8 leechers finish with byte-identical files, the seed spreading every chunk for under two copies', async () => {
    const tmp = await tempDir('cx-dist')
    const swarm = await createSwarm({
      size: 9,
      transport: 'tcp',
      store: 'level',
      dataDir: join(tmp.dir, 'peers'),
      config: {
        // Upload caps make the seed the scarce resource, so leechers must trade among themselves.
        net: { peerUploadBps: 0, uploadBps: 1_000_000 },
        chunks: { tracker: true, chunkSize: 64 * 1024, rechokeIntervalMs: 2000, optimisticUnchokeIntervalMs: 6000 }
      }
    })
    try {
      await swarm.waitConnected({ minConnections: 1 })
      const [seed, ...leechers] = swarm.peers
      const src = await randomFile(tmp.dir, 'source.bin', 3 * 1024 * 1024)
      const shared = await chunks(seed).share(src.path)
      assert.equal(shared.sha256, src.sha256)
      const started = Date.now()
      const handles = await Promise.all(leechers.map(async (p, i) => await chunks(p).get(shared.link, { out: join(tmp.dir, `out-${i}.bin`), seed: true })))
      const finals = await within(Promise.all(handles.map(async h => await h.done)), 75_000, 'all 8 leechers complete')
      const seconds = (Date.now() - started) / 1000
      for (let i = 0; i < leechers.length; i++) {
        assert.equal(finals[i].chunksHave, finals[i].chunks)
        assert.equal(await fileSha256(join(tmp.dir, `out-${i}.bin`)), src.sha256, `leecher ${i} file differs`)
      }
      const seedStatus = (await chunks(seed).status()).transfers[0]
      const copies = seedStatus.uploaded / seedStatus.size
      const toSpread = (seedStatus.uploadedToSpread ?? Infinity) / seedStatus.size
      const leecherUp = finals.reduce((s, f) => s + f.uploaded, 0)
      // Super-seeding: the seed sends each chunk about once before the swarm holds them all.
      // Its total upload is no measure of that: afterwards it serves at its 1 MB/s cap until
      // the end, so the total grows with the run's length, and this machine's load stretches
      // runs several-fold at times. With 48 chunks and 8 leechers the spread itself costs
      // 1.15-1.4 copies (1.5-1.6 with two test suites at once; 1.5-2.0 without super-seeding,
      // whose runs also take ~9 s instead of ~5), so this bound only catches a seed re-sending
      // wholesale. The one-copy claim is tested on virtual time (textbook-sim.test.ts, flat swarm:
      // 1.08 copies to spread) and measured by `npm run bench -- distribution` on 64 MiB.
      assert.ok(toSpread < 2, `seed uploaded ${toSpread.toFixed(2)} copies before every chunk was in the swarm`)
      // Leechers got 8 copies in total; the seed sent at most ~1 MB/s for the run, so most came
      // from the leechers themselves (this bound holds while the run takes under ~19 s: 3.5x a usual 5.3 s).
      assert.ok(leecherUp > 2 * seedStatus.size, `leechers uploaded only ${leecherUp} bytes`)
      console.log(`      8 leechers done in ${seconds.toFixed(1)} s; seed uploaded ${toSpread.toFixed(2)} copies until every chunk was in the swarm, ${copies.toFixed(2)} in all`)
    } finally {
      await swarm.stop()
      await tmp.remove()
    }
  })
})
