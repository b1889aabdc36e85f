import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Libp2p } from '@libp2p/interface'
import { LevelDatastore } from 'datastore-level'
import type { PeerConfig } from '../config/peer-config.ts'
import { BanList } from './host/ban-list.ts'
import type { NatHost } from './contracts.ts'
import { ConnectionKeeper } from './host/connection-keeper.ts'
import { identitySigner } from './host/identity-signer.ts'
import { createHost } from './host/libp2p-host.ts'
import { Libp2pNet } from './host/libp2p-net.ts'
import { PeerExchange } from './host/peer-exchange.ts'
import { RateLimiter } from './host/rate-limiter.ts'
import { ActorSystem } from './kernel/system.ts'
import { MODULES } from './modules.ts'
import type { Peer, PeerStatus } from './peer-types.ts'
import { ServiceRegistry, type ProtocolModule } from './plugin.ts'
import type { Clock } from './ports/clock.ts'
import { createLogger, stderrSink, type Logger, type LogSink } from './ports/logger.ts'
import { MemoryStore } from './ports/memory-store.ts'
import { asPeerKey, type PeerKey } from './ports/net.ts'
import { cryptoSeededRandom, type Random } from './ports/random.ts'
import type { Store } from './ports/store.ts'
import { SystemClock } from './ports/system-clock.ts'
import { loadOrCreateIdentity } from './store/identity.ts'
import { LevelStore, type RootLevelStore } from './store/level-store.ts'

export interface CreatePeerOptions {
  /**
   * 'level' (default): one LevelDB at `<node.dataDir>/store` holding the identity, the
   * address book and every actor's state. 'memory': nothing on disk (in-process swarms).
   */
  store?: 'level' | 'memory'
  /** Replaces the stderr logger built from node.logLevel/logFormat. */
  logger?: Logger
  /** Where log records go (default stderr); ignored when `logger` is given. */
  logSink?: LogSink
  /** Protocol modules to consider (default MODULES); each installs if its config section has `enabled: true`. */
  modules?: ReadonlyArray<ProtocolModule<any, any>>
  clock?: Clock
  random?: Random
}

/** A peer running on libp2p; the extra fields are for tests and tooling inside this package. */
export interface RuntimePeer extends Peer {
  readonly config: PeerConfig
  readonly libp2p: Libp2p
  readonly net: Libp2pNet
  readonly banList: BanList
  readonly store: Store
  /** Peers this one knows addresses of (the persistent address book). */
  knownPeers(): Promise<PeerKey[]>
}

/** Sublevels the runtime reserves next to the actors' own. */
const IDENTITY_SUBLEVEL = 'identity'
const LIBP2P_SUBLEVEL = 'libp2p'

/**
 * Start a peer: store, identity, libp2p host, net adapter, actor system with every
 * enabled protocol module, connection keeper. Resolves once it listens and its modules
 * are installed; bootstrap dials continue in the background (see the log).
 */
export async function createPeer (config: PeerConfig, opts: CreatePeerOptions = {}): Promise<RuntimePeer> {
  const logger = opts.logger ?? createLogger(opts.logSink ?? stderrSink(config.node.logFormat === 'json'), { level: config.node.logLevel, scope: 'peerhive' })
  const clock = opts.clock ?? new SystemClock()
  const random = opts.random ?? cryptoSeededRandom()
  const cleanup: Array<() => Promise<void> | void> = []
  const undo = async (): Promise<void> => {
    for (const f of cleanup.reverse()) {
      try { await f() } catch (err) { logger.warn('cleanup after failed start', { error: err as Error }) }
    }
  }
  try {
    let store: Store
    let root: RootLevelStore | undefined
    let datastore: LevelDatastore | undefined
    let dataDir: string | undefined
    if (opts.store === 'memory') {
      store = new MemoryStore()
    } else {
      dataDir = resolve(config.node.dataDir)
      await mkdir(dataDir, { recursive: true })
      root = await LevelStore.open(join(dataDir, 'store'))
      const r = root
      cleanup.push(async () => { await r.close() })
      store = root
      datastore = new LevelDatastore(root.level.sublevel<string, Uint8Array>(LIBP2P_SUBLEVEL, { keyEncoding: 'utf8', valueEncoding: 'view' }) as any)
    }
    const { key, created } = await loadOrCreateIdentity(store.sublevel(IDENTITY_SUBLEVEL))
    const banList = new BanList(config.net.strikeLimit)
    const libp2p = await createHost({ config, privateKey: key, banList, ...(datastore !== undefined ? { datastore } : {}) })
    cleanup.push(async () => { await libp2p.stop() })
    const self = asPeerKey(libp2p.peerId.toString())
    const log = logger.child(self.slice(-8))
    log.info(created ? 'created identity' : 'loaded identity', { peer: self, ...(dataDir !== undefined ? { dataDir } : {}) })

    const limiter = new RateLimiter(config.net, clock)
    const net = new Libp2pNet({ libp2p, clock, logger: log.child('net'), banList, limiter, requestTimeoutMs: config.net.requestTimeoutMs, dialTimeoutMs: config.net.dialTimeoutMs })
    cleanup.push(async () => { await net.stop() })
    await libp2p.start()
    const known = await net.loadAddressBook()
    log.info('listening', { addrs: libp2p.getMultiaddrs().map(a => a.toString()), knownPeers: known })

    const pex = new PeerExchange(libp2p, random.fork('pex'), log.child('pex'), (p) => banList.isBanned(p))
    await pex.start()

    const system = new ActorSystem({ clock, random, store, logger: log, net })
    cleanup.push(async () => { await system.stop() })
    const services = new ServiceRegistry()
    // The host's NAT interface (built inside libp2p as service 'nat' when relay is enabled)
    // reaches modules as a service like any other, so none needs a side channel to it.
    const natHost = (libp2p.services as Record<string, unknown>).nat as NatHost | undefined
    if (natHost !== undefined) services.set('nat', natHost)
    const signer = identitySigner(key)
    const sections = config as unknown as Record<string, { enabled?: boolean } | undefined>
    const installed: string[] = []
    for (const mod of opts.modules ?? MODULES) {
      const section = sections[mod.name]
      if (section?.enabled !== true) continue
      const api = await mod.install({ system, config: section, services, self, logger: log.child(mod.name), signer, peerName: config.node.name, ...(dataDir !== undefined ? { dataDir } : {}) })
      services.set(mod.name, api)
      installed.push(mod.name)
    }
    await net.ready()
    await system.ready()
    if (installed.length > 0) log.info('modules installed', { modules: installed.join(',') })

    const keeper = new ConnectionKeeper({
      libp2p,
      clock,
      random: random.fork('keeper'),
      logger: log.child('keeper'),
      banList,
      pex,
      bootstrap: config.net.bootstrap,
      lowWater: config.net.lowWater,
      highWater: config.net.highWater,
      dialTimeoutMs: config.net.dialTimeoutMs
    })
    cleanup.push(async () => { await keeper.stop() })
    void keeper.start().catch((err: Error) => { log.error('connection keeper failed to start', { error: err }) })

    return new Libp2pPeer({ config, libp2p, net, banList, store, root, system, services, logger: log, clock, keeper })
  } catch (err) {
    await undo()
    throw err
  }
}

interface PeerParts {
  config: PeerConfig
  libp2p: Libp2p
  net: Libp2pNet
  banList: BanList
  store: Store
  root: RootLevelStore | undefined
  system: ActorSystem
  services: ServiceRegistry
  logger: Logger
  clock: Clock
  keeper: ConnectionKeeper
}

class Libp2pPeer implements RuntimePeer {
  readonly id: PeerKey
  readonly config: PeerConfig
  readonly libp2p: Libp2p
  readonly net: Libp2pNet
  readonly banList: BanList
  readonly store: Store
  readonly system: ActorSystem
  readonly services: ServiceRegistry
  readonly logger: Logger
  private readonly parts: PeerParts
  private readonly startedAt: number
  private stopping?: Promise<void>

  constructor (parts: PeerParts) {
    this.parts = parts
    this.config = parts.config
    this.libp2p = parts.libp2p
    this.net = parts.net
    this.banList = parts.banList
    this.store = parts.store
    this.system = parts.system
    this.services = parts.services
    this.logger = parts.logger
    this.id = asPeerKey(parts.libp2p.peerId.toString())
    this.startedAt = parts.clock.now()
  }

  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(a => a.toString())
  }

  async knownPeers (): Promise<PeerKey[]> {
    const all = await this.libp2p.peerStore.all()
    return all.filter(p => p.addresses.length > 0 && !p.id.equals(this.libp2p.peerId)).map(p => asPeerKey(p.id.toString()))
  }

  status (): PeerStatus {
    return {
      peerId: this.id,
      ...(this.config.node.name !== '' ? { name: this.config.node.name } : {}),
      addresses: this.multiaddrs(),
      connections: this.libp2p.getConnections().map(c => ({
        peer: asPeerKey(c.remotePeer.toString()),
        addr: c.remoteAddr.toString(),
        direction: c.direction,
        limited: c.limits != null
      })),
      actors: this.system.status(),
      uptimeMs: Math.round(this.parts.clock.now() - this.startedAt)
    }
  }

  /** Actors stop first (they may still send goodbyes), then libp2p, then the store flushes. */
  async stop (): Promise<void> {
    this.stopping ??= this.shutdown()
    await this.stopping
  }

  private async shutdown (): Promise<void> {
    const { keeper, system, net, libp2p, root, logger } = this.parts
    const step = async (what: string, f: () => Promise<void>): Promise<void> => {
      try { await f() } catch (err) { logger.warn(`stop: ${what} failed`, { error: err as Error }) }
    }
    await step('keeper', async () => { await keeper.stop() })
    await step('actors', async () => { await system.stop() })
    await step('net', async () => { await net.stop() })
    await step('libp2p', async () => { await libp2p.stop() })
    if (root !== undefined) await step('store', async () => { await root.close() })
    logger.info('stopped')
  }
}
