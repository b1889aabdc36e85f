import type { Libp2p, PeerId, PeerInfo } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Clock, Timer } from '../ports/clock.ts'
import type { Logger } from '../ports/logger.ts'
import type { Random } from '../ports/random.ts'
import type { BanList } from './ban-list.ts'
import { BOOTSTRAP_MAX_ATTEMPTS, KEEPER_FAST_INTERVAL_MS, KEEPER_MAX_PARALLEL_DIALS } from './constants.ts'
import { bootstrapRetryDelay, dialsWanted, nextKeeperDelay } from './keeper-policy.ts'
import type { PeerExchange } from './peer-exchange.ts'

export interface KeeperInit {
  libp2p: Libp2p
  clock: Clock
  random: Random
  logger: Logger
  banList: BanList
  pex: PeerExchange
  bootstrap: string[]
  lowWater: number
  highWater: number
  dialTimeoutMs: number
}

/**
 * Keeps a peer connected: dials the bootstrap list on start (retrying with backoff), and
 * on a timer tops connections up to the low-water mark from the peer store, which peer
 * exchange, mDNS and identify keep filling. The connection manager prunes above high water.
 */
export class ConnectionKeeper {
  private readonly init: KeeperInit
  private timer?: Timer
  private readonly retries = new Set<Timer>()
  private delay = KEEPER_FAST_INTERVAL_MS
  private sweeping = false
  /** The sweep in progress, so stop() can wait for it before the store closes. */
  private running?: Promise<void>
  /** Dials in flight (sweep and discovery together), so neither starts a dial storm. */
  private readonly inflight = new Set<string>()
  private stopped = false
  private readonly onDiscovery = (e: CustomEvent<PeerInfo>): void => { this.discovered(e.detail) }

  constructor (init: KeeperInit) {
    this.init = init
  }

  get log (): Logger {
    return this.init.logger
  }

  async start (): Promise<void> {
    const { libp2p, bootstrap } = this.init
    libp2p.addEventListener('peer:discovery', this.onDiscovery)
    for (const addr of bootstrap) {
      const id = multiaddr(addr).getComponents().find(c => c.name === 'p2p')?.value
      if (id !== undefined && id !== libp2p.peerId.toString()) {
        await libp2p.peerStore.merge(peerIdFromString(id), { multiaddrs: [multiaddr(addr).decapsulateCode(421)], tags: { bootstrap: { value: 50 } } }).catch(() => {})
      }
    }
    await Promise.all(bootstrap.map(async a => { await this.dialBootstrap(a, 1) }))
    this.schedule(0)
  }

  private async dialBootstrap (addr: string, attempt: number): Promise<void> {
    if (this.stopped) return
    const { libp2p } = this.init
    try {
      const conn = await libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(this.init.dialTimeoutMs) })
      this.log.info('bootstrap connected', { addr, peer: conn.remotePeer.toString(), attempt })
      if (attempt > 1) this.schedule(0)
    } catch (err) {
      if (this.stopped) return
      if (attempt >= BOOTSTRAP_MAX_ATTEMPTS) {
        this.log.warn('bootstrap unreachable: giving up on this address (the keeper still tries it from the peer store)', { addr, attempts: attempt, error: err as Error })
        return
      }
      const wait = bootstrapRetryDelay(attempt)
      this.log.warn('bootstrap dial failed: retrying', { addr, attempt, retryInMs: wait, error: err as Error })
      const t = this.init.clock.setTimer(wait, () => { this.retries.delete(t); void this.dialBootstrap(addr, attempt + 1) })
      this.retries.add(t)
    }
  }

  private schedule (ms: number): void {
    if (this.stopped) return
    this.timer?.cancel()
    this.timer = this.init.clock.setTimer(ms, () => {
      this.running = this.sweep().catch((err: Error) => {
        if (!this.stopped) this.log.warn('connection sweep failed', { error: err })
      })
    })
  }

  /** One top-up round: learn peers from a neighbour, then dial the missing ones. */
  async sweep (): Promise<void> {
    if (this.sweeping || this.stopped) return
    this.sweeping = true
    const { libp2p, lowWater, highWater } = this.init
    const before = libp2p.getPeers().length
    let failed: unknown
    try {
      if (before < lowWater && before > 0) {
        const asked = this.init.random.pick(libp2p.getPeers())
        if (asked !== undefined) await this.init.pex.ask(asked).catch((err: Error) => { this.log.debug('peer exchange failed', { peer: asked.toString(), error: err }) })
      }
      const want = dialsWanted(libp2p.getPeers().length + this.inflight.size, lowWater, highWater) - this.inflight.size
      if (want > 0) await Promise.all((await this.candidates()).slice(0, want).map(async p => { await this.dial(p) }))
    } catch (err) {
      failed = err
    } finally {
      this.sweeping = false
    }
    if (this.stopped) return
    // A failed sweep (say, the peer store unreadable) is logged; the next one tries again.
    if (failed !== undefined) this.log.warn('connection sweep failed', { error: failed as Error })
    const after = libp2p.getPeers().length
    this.delay = nextKeeperDelay(after, lowWater, this.delay, after > before)
    this.schedule(this.delay)
  }

  private async candidates (): Promise<PeerId[]> {
    const { libp2p, banList } = this.init
    const connected = new Set(libp2p.getPeers().map(p => p.toString()))
    const self = libp2p.peerId.toString()
    const all = await libp2p.peerStore.all()
    return this.init.random.shuffle(all
      .filter(p => p.addresses.length > 0)
      .map(p => p.id)
      .filter(id => { const k = id.toString(); return k !== self && !connected.has(k) && !this.inflight.has(k) && !banList.isBanned(k) }))
  }

  private async dial (peer: PeerId): Promise<void> {
    const k = peer.toString()
    if (this.inflight.has(k)) return
    this.inflight.add(k)
    try {
      await this.init.libp2p.dial(peer, { signal: AbortSignal.timeout(this.init.dialTimeoutMs) })
    } catch (err) {
      this.log.debug('keeper dial failed', { peer: k, error: err as Error })
    } finally {
      this.inflight.delete(k)
    }
  }

  /** mDNS (or any discovery) found a peer: dial it at once if we are short of connections. */
  private discovered (info: PeerInfo): void {
    const { libp2p, lowWater, banList } = this.init
    const k = info.id.toString()
    if (this.stopped || banList.isBanned(k) || libp2p.getConnections(info.id).length > 0) return
    if (libp2p.getPeers().length + this.inflight.size >= lowWater || this.inflight.size >= KEEPER_MAX_PARALLEL_DIALS) return
    this.log.debug('discovered peer', { peer: k, addrs: info.multiaddrs.map(a => a.toString()) })
    void this.dial(info.id)
  }

  /** Stop timers and wait for a sweep in progress (it reads the peer store, which closes next). */
  async stop (): Promise<void> {
    this.stopped = true
    this.timer?.cancel()
    for (const t of this.retries) t.cancel()
    this.retries.clear()
    this.init.libp2p.removeEventListener('peer:discovery', this.onDiscovery)
    await this.running
  }
}
