import { ActorSystem } from '../../../node/kernel/system.ts'
import type { ActorRef } from '../../../node/kernel/actor.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import { silentLogger } from '../../../node/ports/logger.ts'
import { asPeerKey, type PeerKey } from '../../../node/ports/net.ts'
import { SimNetwork, type SimHost } from '../../../node/sim/sim-network.ts'
import type { SharedFileInfo } from '../../../node/contracts.ts'
import { defaults } from '../../../config/schema.ts'
import { searchSection, type SearchConfig } from '../../../protocols/flood-search/config.ts'
import { floodSearch, type FloodHit, type SearchActorMsg } from '../../../protocols/flood-search/actor.ts'
import { SearchApi } from '../../../protocols/flood-search/api.ts'
import { searchWire } from '../../../protocols/flood-search/messages.ts'

/** One simulated peer running the real flood-search actor on the base SimNetwork. */
export interface SimSearchPeer {
  key: PeerKey
  host: SimHost
  system: ActorSystem
  ref: ActorRef<SearchActorMsg>
  api: SearchApi
  files: SharedFileInfo[]
}

export interface SimSwarm {
  clock: VirtualClock
  net: SimNetwork
  peers: SimSearchPeer[]
  byKey: Map<PeerKey, SimSearchPeer>
  stop(): Promise<void>
}

export function searchConfig (over: Partial<SearchConfig> = {}): SearchConfig {
  return { ...defaults({ search: searchSection }).search, ...over }
}

/**
 * `n` peers; every peer but p0 connects to p0 (the bootstrap) and the overlay forms by
 * Hello/Ping/Pong from there. Seeded: the same seed gives the same overlay.
 */
export async function simSwarm (n: number, seed: string | number, config: Partial<SearchConfig> = {}, perPeer: (i: number) => Partial<SearchConfig> = () => ({})): Promise<SimSwarm> {
  const clock = new VirtualClock()
  const net = new SimNetwork({ clock })
  const root = new SeededRandom(seed)
  const peers: SimSearchPeer[] = []
  for (let i = 0; i < n; i++) {
    const key = asPeerKey(`p${i}`)
    const host = net.addHost(key)
    const system = new ActorSystem({ clock, random: root.fork(key), store: new MemoryStore(), logger: silentLogger, net: host })
    const files: SharedFileInfo[] = []
    const ref = system.spawn({ name: 'search', factory: floodSearch({ config: searchConfig({ ...config, ...perPeer(i) }), localFiles: async () => files }), wire: searchWire })
    peers.push({ key, host, system, ref, api: new SearchApi(ref), files })
  }
  await Promise.all(peers.map(async p => { await p.system.ready() }))
  for (const p of peers.slice(1)) net.connect(p.key, peers[0].key)
  return {
    clock,
    net,
    peers,
    byKey: new Map(peers.map(p => [p.key, p])),
    stop: async () => { for (const p of peers) await p.system.stop() }
  }
}

/** Run a search to its deadline on virtual time and collect every hit. */
export async function searchAll (s: SimSwarm, from: SimSearchPeer, words: string, opts: { ttl?: number, timeoutMs?: number } = {}): Promise<FloodHit[]> {
  const hits: FloodHit[] = []
  const timeoutMs = opts.timeoutMs ?? 2_000
  const done = (async () => { for await (const h of from.api.search(words, { ...opts, timeoutMs })) hits.push(h) })()
  await s.clock.advance(timeoutMs + 1_100)
  await done
  return hits
}
