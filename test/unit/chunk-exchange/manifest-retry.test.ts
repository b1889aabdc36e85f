import assert from 'node:assert/strict'
import type { PeerKey } from '../../../node/ports/net.ts'
import type { Progress } from '../../../protocols/chunk-exchange/progress.ts'
import { bytesOf, simSwarm } from './sim-helpers.ts'

/**
 * A failed manifest fetch is retried with backoff on the actor's clock, over every known
 * peer: here the only provider is unreachable when the leecher learns of it and the tracker
 * it asks first has no manifest; once the provider is reachable the download starts, long
 * before the next periodic announce (10 min) could have rescued it.
 */
describe('chunk exchange: manifest fetch retries', function () {
  this.timeout(30_000)

  it('a download whose first manifest fetches fail gets the manifest once a provider becomes reachable', async () => {
    const seed = 5
    const sw = simSwarm(seed)
    try {
      const slow = { announceIntervalMs: 600_000 }
      const tracker = await sw.add('tracker', { ...slow, tracker: true })
      const seeder = await sw.add('seeder', slow)
      sw.net.connect(seeder.key, tracker.key)
      const data = bytesOf(100_000, seed)
      const shared = await seeder.api.shareBytes('file.bin', data)
      await sw.clock.advance(1_000)
      // The seeder is cut off (its tracker entry stays): the leecher can reach only the tracker.
      sw.net.setPartition(k => k === seeder.key ? 'cut' : 'rest')
      const leecher = await sw.add('leecher', slow)
      sw.net.connect(leecher.key, tracker.key)
      const h = await leecher.api.get(shared.link)
      let latest: Progress | undefined
      let done = false
      void (async () => { for await (const p of h.progress) latest = p })()
      void h.done.then(() => { done = true })
      await sw.clock.advance(5_000)
      assert.equal(latest?.state, 'finding', `reproduce with seed=${seed}: expected still finding, got ${JSON.stringify(latest)}`)
      assert.equal(sw.net.isConnected(leecher.key, seeder.key), false)
      sw.net.setPartition(undefined)
      const ok = await sw.clock.runWhile(() => !done, 60_000)
      assert.ok(ok, `reproduce with seed=${seed}: no download within 60 s of the provider becoming reachable; last ${JSON.stringify(latest)}`)
      const fin = await h.done
      assert.equal(fin.chunksHave, fin.chunks)
      assert.ok(sw.net.isConnected(leecher.key, seeder.key as PeerKey), 'the leecher reached the provider it retried')
    } finally {
      await sw.stop()
    }
  })
})
