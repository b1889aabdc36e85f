import { ActorSystem } from '../../../node/kernel/system.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import { silentLogger, createLogger, stderrSink } from '../../../node/ports/logger.ts'
import { SimNetwork, type SimHost } from '../../../node/sim/sim-network.ts'
import { ServiceRegistry } from '../../../node/plugin.ts'
import { defaults } from '../../../config/schema.ts'
import { chunksSection, type ChunksConfig } from '../../../protocols/chunk-exchange/config.ts'
import { chunksModule } from '../../../protocols/chunk-exchange/index.ts'
import type { ChunksApi } from '../../../protocols/chunk-exchange/api.ts'
import type { PeerKey } from '../../../node/ports/net.ts'

export interface SimPeer {
  key: PeerKey
  host: SimHost
  system: ActorSystem
  api: ChunksApi
  store: MemoryStore
}

/** Chunk-exchange peers on a SimNetwork and a virtual clock (no sockets, no wall time). */
export function simSwarm (seed: number, opts: { latencyMs?: number } = {}) {
  const clock = new VirtualClock()
  const net = new SimNetwork({ clock, ...(opts.latencyMs !== undefined ? { latencyMs: () => opts.latencyMs as number } : {}) })
  const random = new SeededRandom(seed)
  const peers: SimPeer[] = []
  const add = async (name: string, cfg: Partial<ChunksConfig> = {}): Promise<SimPeer> => {
    const host = net.addHost(name)
    const store = new MemoryStore()
    const system = new ActorSystem({ clock, random: random.fork(name), store, logger: process.env.CX_DEBUG ? createLogger(stderrSink(), { level: "debug", now: () => clock.now() }) : silentLogger, net: host })
    const config = { ...defaults({ chunks: chunksSection }).chunks, chunkSize: 16 * 1024, blockSize: 4096, ...cfg }
    const api = await chunksModule.install({ system, config, services: new ServiceRegistry(), self: host.self, logger: silentLogger })
    await system.ready()
    const p = { key: host.self, host, system, api, store }
    peers.push(p)
    return p
  }
  const stop = async (): Promise<void> => { for (const p of peers) await p.system.stop() }
  return { clock, net, add, peers, stop }
}

export function bytesOf (n: number, seed: number): Uint8Array {
  return new SeededRandom(seed).bytes(n)
}
