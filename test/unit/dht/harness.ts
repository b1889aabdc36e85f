import { ActorSystem } from '../../../node/kernel/system.ts'
import { silentLogger } from '../../../node/ports/logger.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SimNetwork, type SimHost } from '../../../node/sim/sim-network.ts'
import { defaults } from '../../../config/schema.ts'
import { dhtSection } from '../../../protocols/dht/config.ts'
import { dhtModule, type DhtConfig } from '../../../protocols/dht/index.ts'
import type { DhtApi } from '../../../protocols/dht/api.ts'
import { ringSpace, type RingSpace } from '../../../protocols/dht/ids.ts'
import type { RingState } from '../../../protocols/dht/ring.ts'
import { ServiceRegistry } from '../../../node/plugin.ts'

/** Short maintenance periods on virtual time: a converged ring in a few simulated seconds. */
export const FAST: Partial<DhtConfig> = {
  stabilizeMs: 100,
  fixFingersMs: 50,
  checkPredecessorMs: 200,
  pingSuccessorsMs: 300,
  repairMs: 500,
  rpcTimeoutMs: 300,
  lookupTimeoutMs: 3_000
}

export interface Member {
  name: string
  host: SimHost
  sys: ActorSystem
  api: DhtApi
  store: Map<string, Uint8Array>
}

/**
 * DHT members on SimNetwork and one VirtualClock: deterministic for a seed. Drives the
 * clock while awaiting API calls (their RPCs travel on virtual time).
 */
export class SimRing {
  readonly clock = new VirtualClock()
  readonly net: SimNetwork
  readonly members = new Map<string, Member>()
  readonly cfg: DhtConfig
  readonly space: RingSpace
  private readonly seed: number | string

  constructor (seed: number | string, cfg: Partial<DhtConfig> = {}, latencyMs?: (a: PeerKey, b: PeerKey) => number) {
    this.seed = seed
    this.net = new SimNetwork({ clock: this.clock, ...(latencyMs !== undefined ? { latencyMs } : {}) })
    this.cfg = { ...defaults({ dht: dhtSection }).dht, ...FAST, ...cfg }
    this.space = ringSpace(this.cfg.idBits)
  }

  /** Start a member (keeping `store` across restarts). Joining is separate. */
  async start (name: string, store = new Map<string, Uint8Array>()): Promise<Member> {
    const host = this.net.host(name as PeerKey) ?? this.net.addHost(name)
    host.revive()
    const sys = new ActorSystem({ clock: this.clock, random: new SeededRandom(`${this.seed}:${name}`), store: new MemoryStore(store), logger: silentLogger, net: host })
    const api = await dhtModule.install({ system: sys, config: this.cfg, services: new ServiceRegistry(), self: host.self, logger: silentLogger }) as DhtApi
    await sys.ready()
    const m = { name, host, sys, api, store }
    this.members.set(name, m)
    return m
  }

  /** Run virtual time until `p` settles (bounded by `maxMs` of virtual time). */
  async drive<T> (p: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false
    const watched = p.finally(() => { done = true })
    watched.catch(() => {})
    await this.clock.runWhile(() => !done, this.clock.now() + maxMs)
    if (!done) throw new Error(`operation still pending after ${maxMs} ms of virtual time`)
    return await watched
  }

  async join (name: string, via: string): Promise<void> {
    const m = this.members.get(name)
    if (m === undefined) throw new Error(`no member ${name}`)
    await this.drive(m.api.join([via]))
  }

  /** Crash: connections drop, timers stop, no goodbye. */
  async kill (name: string): Promise<void> {
    const m = this.members.get(name)
    if (m === undefined) return
    m.host.crash()
    await m.sys.stop()
    this.members.delete(name)
  }

  async states (): Promise<Map<PeerKey, RingState>> {
    const out = new Map<PeerKey, RingState>()
    for (const m of this.members.values()) out.set(m.host.self, (await m.api.ring()).ring)
    return out
  }

  any (): Member {
    return [...this.members.values()][0]
  }
}
