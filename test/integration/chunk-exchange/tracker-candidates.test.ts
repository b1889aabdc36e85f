import assert from 'node:assert/strict'
import { join } from 'node:path'
import { overlay } from '../../../config/schema.ts'
import { peerSchema } from '../../../config/peer-config.ts'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import { swarmBaseConfig } from '../../../node/swarm.ts'
import { chunks, fileSha256, randomFile, tempDir, within } from './helpers.ts'

/**
 * Peers named only by the tracker: the newcomer knows them by the addresses in the
 * tracker's answer, is not connected to them, and libp2p's peer store has never heard of
 * them. It must dial them to trade with them. (It once handed them straight to the swarm,
 * whose handshake failed as `not-connected`; they joined only after the 30 s handshake
 * timeout and the next announce, here set to 10 minutes so only a dial can pass.)
 */
describe('chunk exchange: peers named by the tracker', function () {
  this.timeout(60_000)

  it('are dialled: the newcomer trades with a seed it was never connected to', async () => {
    const tmp = await tempDir('cx-tracker-candidates')
    // lowWater 0: the connection keeper dials nobody (and asks no peer exchange); no DHT or
    // search, whose neighbours would connect the peers: the only way from the newcomer to
    // the second seed is the chunk exchange's own dial.
    const config = (name: string, bootstrap: string[], tracker: boolean) => overlay(peerSchema, swarmBaseConfig('tcp'), {
      node: { logLevel: 'error', dataDir: join(tmp.dir, name) },
      dht: { enabled: false },
      search: { enabled: false },
      relay: { enabled: false },
      // Seeds at 1 MB/s: the 4 MiB download takes seconds, time for the second seed to join.
      net: { bootstrap, lowWater: 0, ...(tracker ? {} : { uploadBps: 1_000_000 }) },
      chunks: { tracker, chunkSize: 64 * 1024, announceIntervalMs: 600_000 }
    }, name)
    const peers: RuntimePeer[] = []
    try {
      const tracker = await createPeer(config('tracker', [], true), { store: 'level' })
      peers.push(tracker)
      const boot = tracker.multiaddrs()
      const [s1, s2, newcomer] = await Promise.all(['seed-1', 'seed-2', 'newcomer'].map(async n => await createPeer(config(n, boot, false), { store: 'level' })))
      peers.push(s1, s2, newcomer)
      for (let i = 0; i < 200 && peers.slice(1).some(p => p.libp2p.getPeers().length === 0); i++) await new Promise(resolve => setTimeout(resolve, 25))
      const src = await randomFile(tmp.dir, 'source.bin', 4 * 1024 * 1024)
      const a = await chunks(s1).share(src.path)
      const b = await chunks(s2).share(src.path)
      assert.equal(a.link, b.link, 'the same content is the same link')
      // Both seeds are on the tracker's list before the newcomer asks.
      let listed = 0
      for (let i = 0; i < 600 && listed < 2; i++) {
        listed = (await chunks(tracker).status()).tracker?.peers ?? 0
        if (listed < 2) await new Promise(resolve => setTimeout(resolve, 25))
      }
      assert.ok(listed >= 2, `both seeds announced to the tracker (it lists ${listed})`)
      const h = await chunks(newcomer).get(a.link, { out: join(tmp.dir, 'out.bin') })
      await within(h.done, 30_000, 'download complete')
      const uploaded = await Promise.all([s1, s2].map(async s => (await chunks(s).status()).transfers.find(t => t.link === a.link)?.uploaded ?? 0))
      assert.ok(uploaded.every(u => u > 0), `both seeds uploaded to the newcomer: ${uploaded.join(', ')} bytes`)
      assert.equal(await fileSha256(join(tmp.dir, 'out.bin')), src.sha256)
    } finally {
      await Promise.all(peers.map(async p => { await p.stop() }))
      await tmp.remove()
    }
  })
})
