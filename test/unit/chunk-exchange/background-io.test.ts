import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { defaults } from '../../../config/schema.ts'
import { ActorSystem } from '../../../node/kernel/system.ts'
import { silentLogger } from '../../../node/ports/logger.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import type { NetProvider } from '../../../node/ports/net-provider.ts'
import type { NetEvent, NetPort, PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SimNetwork } from '../../../node/sim/sim-network.ts'
import type { WireProtocol } from '../../../node/wire/codec.ts'
import { chunkActor, type ChunkActorMsg } from '../../../protocols/chunk-exchange/actor.ts'
import { ChunksApi } from '../../../protocols/chunk-exchange/api.ts'
import { chunksSection, type ChunksConfig } from '../../../protocols/chunk-exchange/config.ts'
import { chunkWire, type ChunkMsg } from '../../../protocols/chunk-exchange/messages.ts'
import { decodeManifest } from '../../../protocols/chunk-exchange/manifest.ts'
import { openInStore, StoreChunkStorage, type ChunkStorage, type OpenStorage } from '../../../protocols/chunk-exchange/storage.ts'

/**
 * Chunk writes run off the actor's mailbox: while one is still landing, the actor keeps
 * taking pieces and verifying other chunks, and no chunk is announced (`have`) before its
 * own write finished. Real actors on SimNetwork and virtual time; the leecher's storage is
 * the store-backed one with writes held at a gate the test opens.
 */
const SEED = Number(process.env.SEED ?? 1 + Math.floor(Math.random() * 1e6))

type Event = { kind: 'write-start' | 'write-done' | 'have-sent', index: number }

/** Store storage whose writes start at once and finish only when the test releases them. */
function gatedStorage (log: Event[], held: Set<number>, releases: Map<number, () => void>): OpenStorage {
  return async (link, manifest, spec, meta) => {
    const inner = await openInStore(link, manifest, spec, meta)
    const s: ChunkStorage = {
      get have () { return inner.have },
      location: inner.location,
      read: async (i) => await inner.read(i),
      write: async (i, data) => {
        log.push({ kind: 'write-start', index: i })
        if (held.has(i)) await new Promise<void>(resolve => { releases.set(i, resolve) })
        await inner.write(i, data)
        log.push({ kind: 'write-done', index: i })
      },
      finish: async () => { await inner.finish() },
      close: async () => { await inner.close() }
    }
    return s
  }
}

/** The sim net, recording each `have` the leecher sends (the net port is a port: this only watches it). */
function watchingHaves (net: NetProvider, log: Event[]): NetProvider {
  return {
    self: net.self,
    port<W> (wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>): NetPort<W> {
      const p = net.port(wire, deliver)
      return new Proxy(p, {
        get (target, prop, recv) {
          if (prop !== 'send') return Reflect.get(target, prop, recv)
          return async (to: PeerKey, msg: W) => {
            const m = msg as ChunkMsg
            if (m.type === 'have') log.push({ kind: 'have-sent', index: m.index })
            await target.send(to, msg)
          }
        }
      })
    }
  } as NetProvider
}

describe(`chunk exchange: disk writes off the mailbox (seed=${SEED})`, () => {
  it('keeps taking pieces while a write is pending, and announces a chunk only once its write landed', async () => {
    const clock = new VirtualClock()
    const sim = new SimNetwork({ clock })
    const random = new SeededRandom(SEED)
    const log: Event[] = []
    const held = new Set<number>()
    const releases = new Map<number, () => void>()
    const systems: ActorSystem[] = []
    const peer = async (name: string, cfg: Partial<ChunksConfig>, openStorage: OpenStorage, net: NetProvider): Promise<{ key: PeerKey, api: ChunksApi, store: MemoryStore }> => {
      const config = { ...defaults({ chunks: chunksSection }).chunks, chunkSize: 16 * 1024, blockSize: 4096, ...cfg }
      const store = new MemoryStore()
      const system = new ActorSystem({ clock, random: random.fork(name), store, logger: silentLogger, net })
      systems.push(system)
      const ref = system.spawn<ChunkActorMsg, ChunkMsg>({ name: 'chunks', wire: chunkWire, mailboxCapacity: 4096, factory: chunkActor({ config, openStorage }) })
      await system.ready()
      return { key: net.self, api: new ChunksApi(ref, { chunkSize: config.chunkSize, onDisk: false }), store }
    }
    try {
      const seedHost = sim.addHost('seed')
      const leechHost = sim.addHost('leech')
      // A plain seed (no super-seeding): the leecher may fetch several chunks at once.
      const seed = await peer('seed', { superSeed: false }, openInStore, seedHost)
      const leech = await peer('leech', {}, gatedStorage(log, held, releases), watchingHaves(leechHost, log))
      const data = new SeededRandom(SEED).bytes(20 * 16 * 1024 + 1234)
      const shared = await seed.api.shareBytes('f.bin', data)
      sim.connect(seed.key, leech.key)
      const h = await leech.api.get(shared.link)
      let done = false
      void h.done.then(() => { done = true })

      // Hold the first chunk write that starts; the transfer must go on around it.
      assert.ok(await clock.runWhile(() => !log.some(e => e.kind === 'write-start'), 60_000), `reproduce with SEED=${SEED}: no chunk completed`)
      const first = (log.find(e => e.kind === 'write-start') as Event).index
      held.add(first)
      // That write started before `held` was set: hold the next ones instead if it already landed.
      const pending = (): number[] => [...releases.keys()]
      if (log.some(e => e.kind === 'write-done' && e.index === first)) {
        for (let i = 0; i < 21; i++) held.add(i)
        assert.ok(await clock.runWhile(() => pending().length === 0, 60_000), `reproduce with SEED=${SEED}: no write was held`)
        held.clear()
      }
      const blocked = pending()[0]
      const startsBefore = log.filter(e => e.kind === 'write-start').length
      // While that write is held, other chunks keep arriving, verifying and being written.
      const progressed = await clock.runWhile(() => log.filter(e => e.kind === 'write-start').length < startsBefore + 3, 60_000)
      assert.ok(progressed, `reproduce with SEED=${SEED}: the actor stopped taking pieces while chunk ${blocked}'s write was pending`)
      assert.ok(!log.some(e => e.kind === 'have-sent' && e.index === blocked), `chunk ${blocked} announced before its write landed`)
      releases.get(blocked)?.()
      assert.ok(await clock.runWhile(() => !done, 120_000), `reproduce with SEED=${SEED}: transfer did not finish`)
      const fin = await h.done
      assert.equal(fin.chunksHave, fin.chunks)

      // Every announcement follows its own write.
      for (const e of log.filter(x => x.kind === 'have-sent')) {
        const doneAt = log.findIndex(x => x.kind === 'write-done' && x.index === e.index)
        assert.ok(doneAt >= 0 && doneAt < log.indexOf(e), `reproduce with SEED=${SEED}: have ${e.index} sent before its write landed`)
      }
      const haves = new Set(log.filter(x => x.kind === 'have-sent').map(x => x.index))
      assert.equal(haves.size, fin.chunks, 'every chunk announced once stored')
      // And what was stored is the file.
      const chunks = leech.store.sublevel('chunks')
      const m = decodeManifest(await chunks.get(`m/${shared.link}`) as Uint8Array)
      const stored = await StoreChunkStorage.open(chunks.sublevel(`d-${shared.link}`), m)
      const back = new Uint8Array(m.size)
      for (let i = 0; i < m.hashes.length; i++) back.set(await stored.read(i), i * m.chunkSize)
      assert.equal(createHash('sha256').update(back).digest('hex'), shared.sha256)
    } finally {
      for (const s of systems) await s.stop()
    }
  })
})
