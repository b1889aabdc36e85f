import assert from 'node:assert/strict'
import { HANDSHAKE_TIMEOUT_MS } from '../../../protocols/chunk-exchange/constants.ts'
import { bytesOf, simSwarm } from './sim-helpers.ts'

/**
 * A swarm place held by a peer that never answers our handshake (its swarm was full, or it
 * runs no chunk exchange) is given up after HANDSHAKE_TIMEOUT_MS, so a peer that does answer
 * can take it: kept for good, such entries filled leechers' swarms in large runs.
 */
describe('chunk exchange: unanswered handshakes', function () {
  this.timeout(30_000)

  it('a seed whose only swarm place went to a silent peer takes a real leecher once the handshake timed out', async () => {
    const seed = 11
    const sw = simSwarm(seed)
    try {
      const cfg = { maxSwarmPeers: 1, announceIntervalMs: 40_000 }
      const seeder = await sw.add('seeder', { ...cfg, tracker: true })
      const shared = await seeder.api.shareBytes('file.bin', bytesOf(50_000, seed))
      // A host with no chunk exchange: the seed's handshake to it goes unanswered.
      const silent = sw.net.addHost('silent')
      sw.net.connect(seeder.key, silent.self)
      await sw.clock.advance(1_000)
      const leecher = await sw.add('leecher', cfg)
      sw.net.connect(leecher.key, seeder.key)
      const h = await leecher.api.get(shared.link)
      let done = -1
      void h.done.then(() => { done = sw.clock.now() })
      const ok = await sw.clock.runWhile(() => done < 0, 120_000)
      assert.ok(ok, `reproduce with seed=${seed}: the leecher never got a place in the seed's swarm`)
      // The silent peer's place frees at 31 s; the leecher's next announce (40 s) brings it in.
      assert.ok(done > HANDSHAKE_TIMEOUT_MS, `done at ${done} ms`)
    } finally {
      await sw.stop()
    }
  })
})
