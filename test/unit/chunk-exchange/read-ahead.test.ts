import assert from 'node:assert/strict'
import { defaults } from '../../../config/schema.ts'
import { ActorSystem } from '../../../node/kernel/system.ts'
import { silentLogger } from '../../../node/ports/logger.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SimNetwork, type SimHost } from '../../../node/sim/sim-network.ts'
import { chunkActor, type ChunkActorMsg } from '../../../protocols/chunk-exchange/actor.ts'
import { ChunksApi } from '../../../protocols/chunk-exchange/api.ts'
import { chunksSection, type ChunksConfig } from '../../../protocols/chunk-exchange/config.ts'
import { READ_AHEAD_CHUNKS } from '../../../protocols/chunk-exchange/constants.ts'
import { chunkWire, type ChunkMsg } from '../../../protocols/chunk-exchange/messages.ts'
import { openInStore, type OpenStorage } from '../../../protocols/chunk-exchange/storage.ts'

/**
 * A seed serving one fast leecher reads the chunks it was asked for ahead of their turn:
 * with reads that take (virtual) time, several are under way at once, so the link does not
 * idle a disk read at every chunk boundary. Real actors on SimNetwork and virtual time; the
 * seed's storage is the store-backed one with each read delayed on the clock.
 */
const SEED = Number(process.env.SEED ?? 1 + Math.floor(Math.random() * 1e6))
const READ_MS = 20

/** Store storage whose reads take READ_MS of virtual time; counts reads under way. */
function slowReads (clock: VirtualClock, stats: { now: number, max: number, total: number }): OpenStorage {
  return async (link, manifest, spec, meta) => {
    const inner = await openInStore(link, manifest, spec, meta)
    return {
      get have () { return inner.have },
      location: inner.location,
      read: async (i) => {
        stats.now++
        stats.total++
        stats.max = Math.max(stats.max, stats.now)
        await new Promise<void>(resolve => { clock.setTimer(READ_MS, resolve) })
        stats.now--
        return await inner.read(i)
      },
      write: async (i, data) => { await inner.write(i, data) },
      finish: async () => { await inner.finish() },
      close: async () => { await inner.close() }
    }
  }
}

describe(`chunk exchange: a seed reads requested chunks ahead (seed=${SEED})`, () => {
  async function run (cfg: Partial<ChunksConfig>): Promise<{ max: number, total: number, elapsed: number }> {
    const clock = new VirtualClock()
    const sim = new SimNetwork({ clock })
    const random = new SeededRandom(SEED)
    const stats = { now: 0, max: 0, total: 0 }
    const systems: ActorSystem[] = []
    const peer = async (host: SimHost, openStorage: OpenStorage): Promise<{ key: PeerKey, api: ChunksApi }> => {
      const config = { ...defaults({ chunks: chunksSection }).chunks, chunkSize: 16 * 1024, blockSize: 4096, superSeed: false, ...cfg }
      const system = new ActorSystem({ clock, random: random.fork(host.self), store: new MemoryStore(), logger: silentLogger, net: host })
      systems.push(system)
      const ref = system.spawn<ChunkActorMsg, ChunkMsg>({ name: 'chunks', wire: chunkWire, mailboxCapacity: 4096, factory: chunkActor({ config, openStorage }) })
      await system.ready()
      return { key: host.self, api: new ChunksApi(ref, { chunkSize: config.chunkSize, onDisk: false }) }
    }
    try {
      const seed = await peer(sim.addHost('seed'), slowReads(clock, stats))
      const leech = await peer(sim.addHost('leech'), openInStore)
      const shared = await seed.api.shareBytes('f.bin', new SeededRandom(SEED).bytes(40 * 16 * 1024))
      sim.connect(seed.key, leech.key)
      const t0 = clock.now()
      const h = await leech.api.get(shared.link)
      let done = false
      void h.done.then(() => { done = true })
      assert.ok(await clock.runWhile(() => !done, 600_000), `reproduce with SEED=${SEED}: transfer did not finish`)
      const fin = await h.done
      assert.equal(fin.chunksHave, 40)
      return { max: stats.max, total: stats.total, elapsed: clock.now() - t0 }
    } finally {
      for (const s of systems) await s.stop()
    }
  }

  it('keeps more than one read under way for one leecher, reads each chunk once, and finishes sooner than without a cache', async () => {
    const ahead = await run({})
    assert.ok(ahead.max >= 2, `reproduce with SEED=${SEED}: at most ${ahead.max} read under way: no read-ahead`)
    assert.ok(ahead.max <= READ_AHEAD_CHUNKS + 1, `reads under way bounded by the read-ahead, got ${ahead.max}`)
    assert.equal(ahead.total, 40, 'each chunk read once (the cache keeps what was read early)')
    // Without a cache there is no read-ahead: one read at a time, each on the critical path.
    const none = await run({ uploadCacheChunks: 0 })
    assert.equal(none.max, 1)
    assert.ok(ahead.elapsed < none.elapsed, `read-ahead ${ahead.elapsed} ms vs ${none.elapsed} ms without`)
  })
})
