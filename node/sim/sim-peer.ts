import { defaultConfig, peerSchema, type PeerConfig } from '../../config/peer-config.ts'
import { overlay } from '../../config/schema.ts'
import { ActorSystem } from '../kernel/system.ts'
import { MODULES } from '../modules.ts'
import type { PeerStatus, Peer } from '../peer-types.ts'
import { ServiceRegistry, type ProtocolModule } from '../plugin.ts'
import { createLogger, silentLogger, type LogLevel, type Logger, type LogSink } from '../ports/logger.ts'
import { MemoryStore } from '../ports/memory-store.ts'
import type { PeerKey } from '../ports/net.ts'
import type { Random } from '../ports/random.ts'
import { SeededSigner } from '../ports/seeded-signer.ts'
import { IncarnationClock } from './incarnation-clock.ts'
import { IncarnationNet, IncarnationStore, Liveness } from './incarnation-ports.ts'
import type { SimHost, SimNetwork } from './sim-network.ts'

export interface SimPeerOptions {
  net: SimNetwork
  key: string
  /** This peer's random stream, forked from the run's seed. */
  random: Random
  /** Partial config (same shape as a config file) over the defaults. */
  config?: unknown
  /** Modules to install, in order (default: every module of node/modules.ts). */
  modules?: ReadonlyArray<ProtocolModule<any, any>>
  /** Survives restarts: pass the same store to keep a peer's data. */
  store?: MemoryStore
  logSink?: LogSink
  logLevel?: LogLevel
  uploadBps?: number
  downloadBps?: number
  behindNat?: boolean
}

export type SimPeerState = 'running' | 'stopped' | 'crashed'

/**
 * A peer of the simulator: the same ActorSystem and protocol modules as a real peer, on
 * simulated ports (virtual clock, seeded random, in-memory store, simulated net). A crash
 * kills its timers and connections without running any actor's `stop`; a restart builds
 * a fresh system on the same store, as a restarted process would.
 */
export class SimPeer implements Peer {
  readonly id: PeerKey
  readonly host: SimHost
  readonly store: MemoryStore
  readonly config: PeerConfig
  private readonly opts: SimPeerOptions
  private readonly modules: ReadonlyArray<ProtocolModule<any, any>>
  private clock!: IncarnationClock
  private live!: Liveness
  private sys!: ActorSystem
  private registry!: ServiceRegistry
  private log: Logger = silentLogger
  private startedAt = 0
  private incarnation = 0
  state: SimPeerState = 'stopped'

  private constructor (opts: SimPeerOptions) {
    this.opts = opts
    this.host = opts.net.host(opts.key as PeerKey) ?? opts.net.addHost(opts.key)
    this.id = this.host.self
    this.store = opts.store ?? new MemoryStore()
    this.config = overlay(peerSchema, defaultConfig(), opts.config, `sim peer ${opts.key}`)
    this.modules = opts.modules ?? MODULES
    this.host.setCapacity(opts.uploadBps ?? this.config.net.uploadBps, opts.downloadBps ?? this.config.net.downloadBps)
    this.host.behindNat = opts.behindNat ?? false
  }

  /** Create the peer and install its modules. */
  static async start (opts: SimPeerOptions): Promise<SimPeer> {
    const p = new SimPeer(opts)
    await p.boot()
    return p
  }

  get system (): ActorSystem { return this.sys }
  get services (): ServiceRegistry { return this.registry }
  get logger (): Logger { return this.log }

  private async boot (): Promise<void> {
    const clock = this.opts.net.clock
    this.incarnation++
    this.clock = new IncarnationClock(clock)
    this.live = new Liveness(this.id)
    this.host.resetPorts()
    this.host.revive()
    this.log = this.opts.logSink === undefined
      ? silentLogger
      : createLogger(this.opts.logSink, { level: this.opts.logLevel ?? 'info', scope: this.id, now: () => clock.now() })
    this.sys = new ActorSystem({
      clock: this.clock,
      random: this.opts.random.fork(`incarnation-${this.incarnation}`),
      store: new IncarnationStore(this.store, this.live),
      logger: this.log,
      net: new IncarnationNet(this.host, this.live)
    })
    this.registry = new ServiceRegistry()
    this.startedAt = clock.now()
    this.state = 'running'
    const cfg = this.config as unknown as Record<string, { enabled?: boolean } | undefined>
    for (const m of this.modules) {
      if (cfg[m.name]?.enabled === false) continue
      const api = await m.install({ system: this.sys, config: cfg[m.name], services: this.registry, self: this.id, logger: this.log.child(m.name), signer: new SeededSigner(this.id), peerName: this.config.node.name })
      this.registry.set(m.name, api)
    }
    await this.sys.ready()
  }

  multiaddrs (): string[] {
    return this.state === 'running' ? [this.host.address] : []
  }

  status (): PeerStatus {
    return {
      peerId: this.id,
      addresses: this.multiaddrs(),
      connections: this.host.net.neighbours(this.id).map(peer => ({ peer, addr: `/sim/${peer}`, direction: 'outbound' as const, limited: false })),
      actors: this.sys.status(),
      uptimeMs: this.state === 'running' ? this.opts.net.clock.now() - this.startedAt : 0
    }
  }

  /** Graceful: actors run their `stop`, then connections close. Idempotent. */
  async stop (): Promise<void> {
    if (this.state !== 'running') return
    this.state = 'stopped'
    await this.sys.stop()
    this.live.dead = true
    this.clock.kill()
    this.host.crash()
  }

  /** Process death: no actor hears of it; timers and connections vanish at once. */
  crash (): void {
    if (this.state !== 'running') return
    this.state = 'crashed'
    this.live.dead = true
    this.clock.kill()
    this.host.crash()
  }

  /** Start again from the same store (after a stop or a crash). */
  async restart (): Promise<void> {
    if (this.state === 'running') return
    await this.boot()
  }
}
