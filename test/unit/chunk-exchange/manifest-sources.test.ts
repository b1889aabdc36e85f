import assert from 'node:assert/strict'
import type { PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { CHUNKS_PROTOCOL_ID, MANIFEST_FETCHES_AT_ONCE } from '../../../protocols/chunk-exchange/constants.ts'
import { ManifestSources } from '../../../protocols/chunk-exchange/manifest-sources.ts'
import { BULK_PROTOCOL_SUFFIX } from '../../../node/host/constants.ts'
import { bytesOf, simSwarm } from './sim-helpers.ts'

const k = (s: string): PeerKey => s as PeerKey

describe('chunk exchange: whom a newcomer asks for the manifest', function () {
  this.timeout(60_000)

  it('asks one peer at a time, a proven holder first, each peer once a round', () => {
    assert.equal(MANIFEST_FETCHES_AT_ONCE, 1)
    const random = new SeededRandom(1)
    const s = new ManifestSources()
    for (const p of ['a', 'b', 'c']) s.add(k(p), [`/sim/${p}`])
    s.add(k('h'), [], true)
    const first = s.next(random)
    assert.equal(first?.peer, 'h', 'the peer that sent a handshake for the link is asked first')
    assert.equal(s.next(random), undefined, 'a second fetch waits for the first')
    s.failed(k('h'))
    const asked = new Set<string>()
    for (let i = 0; i < 3; i++) {
      const n = s.next(random)
      assert.ok(n !== undefined)
      assert.equal(n.addrs[0], `/sim/${n.peer}`)
      asked.add(n.peer)
      assert.equal(s.exhausted, false)
      s.failed(n.peer)
    }
    assert.deepEqual([...asked].sort(), ['a', 'b', 'c'])
    assert.equal(s.next(random), undefined)
    assert.ok(s.exhausted, 'everyone asked and failed: a new round after a backoff')
    assert.equal(s.holderBusy, false)
    // A holder appearing meanwhile is asked at once; it has no room: a new round soon.
    s.add(k('h2'), [], true)
    assert.equal(s.next(random)?.peer, 'h2')
    s.failed(k('h2'), true)
    assert.ok(s.exhausted && s.holderBusy)
    s.newRound()
    assert.equal(s.holderBusy, false)
    assert.equal(s.next(random)?.peer, 'h', 'a new round starts over with the holders')
    assert.ok(s.wasAsked(k('h')) && !s.wasAsked(k('a')))
    s.failed(k('h'))
    assert.equal(s.next(random)?.peer, 'h2', 'then the other holder')
  })

  it('40 newcomers at a 10 KiB/s seed: the first has the manifest in seconds and holders pass it on', async () => {
    const seed = 7
    const sw = simSwarm(seed)
    try {
      // The textbook shape: 225 one-block chunks, a 7 KB manifest, the seed also the tracker.
      const cfg = { chunkSize: 16384, blockSize: 16384, controlRequestTimeoutMs: 60_000 }
      const seeder = await sw.add('seeder', { ...cfg, tracker: true })
      seeder.host.setCapacity(10_240, 10_240)
      const shared = await seeder.api.shareBytes('file.bin', bytesOf(225 * 16384, seed), { chunkSize: 16384 })
      const got = new Map<string, number>()
      for (let i = 0; i < 40; i++) {
        const l = await sw.add(`leecher-${i}`, cfg)
        l.host.setCapacity(1024, 10_240)
        sw.net.connect(l.key, seeder.key)
        const h = await l.api.get(shared.link)
        void (async () => { for await (const p of h.progress) if (p.chunks > 0 && !got.has(l.key)) got.set(l.key, sw.clock.now()) })()
      }
      const ok = await sw.clock.runWhile(() => got.size < 40, 300_000)
      assert.ok(ok, `reproduce with seed=${seed}: ${got.size}/40 have the manifest after 300 s`)
      const times = [...got.values()].sort((a, b) => a - b)
      const manifestBytes = (await seeder.store.sublevel('chunks').get(`m/${shared.link}`))?.length ?? 0
      const fromSeed = (seeder.host.bytesUpByProtocol.get(CHUNKS_PROTOCOL_ID + BULK_PROTOCOL_SUFFIX) ?? 0) / manifestBytes
      console.log(`      first manifest after ${(times[0] / 1000).toFixed(1)} s, last ${(times[39] / 1000).toFixed(1)} s; the seed streamed ${fromSeed.toFixed(1)} manifests`)
      // Side by side with 40 others (and 40 tracker answers) the first manifest took as long as all of them.
      assert.ok(times[0] < 5_000, `reproduce with seed=${seed}: the first newcomer had the manifest only after ${times[0]} ms`)
      assert.ok(fromSeed < 30, `reproduce with seed=${seed}: the seed streamed ${fromSeed.toFixed(1)} manifests for 40 newcomers`)
    } finally {
      await sw.stop()
    }
  })
})
