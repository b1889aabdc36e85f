import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import type { ComponentLogger, Listener, Logger, PeerId } from '@libp2p/interface'
import type { AddressManager, TransportManager } from '@libp2p/interface-internal'
import { isPrivate } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerConfig } from '../../config/peer-config.ts'
import type { NatHost, Reachability } from '../contracts.ts'
import { NetError } from '../errors.ts'
import type { PeerKey } from '../ports/net.ts'

/**
 * NAT traversal for the libp2p host (owned by the relay protocol): the transports and
 * services the host spreads into createLibp2p.
 *
 * - every peer can dial relayed addresses (circuitRelayTransport) and tries to upgrade a
 *   relayed connection to a direct one by hole punching (DCUtR), keeping the relay as the
 *   fallback when punching fails;
 * - AutoNAT asks peers to dial us back, which verifies (or not) our public addresses;
 * - a peer that may become a supernode (role super or auto) runs the circuit-relay-v2
 *   server with limits from `relay.*`: libp2p's defaults (128 KiB, 2 min per relayed
 *   connection) would cut any file transfer;
 * - service `nat` is the narrow NatHost (node/contracts.ts) the relay protocol drives:
 *   reachability, reserving a slot on a chosen supernode, our relayed addresses. We
 *   re-reserve ourselves; libp2p does not after the relay connection drops (#3601).
 */
export interface NatServices {
  transports: any[]
  services: Record<string, any>
}

export function natServices (config: PeerConfig): NatServices {
  const r = config.relay
  if (!r.enabled) return { transports: [], services: {} }
  const server = r.role !== 'ordinary'
  const services: Record<string, any> = {
    autoNAT: autoNAT(),
    nat: natHost({ relayServer: server, reserveTimeoutMs: r.reserveTimeoutMs })
  }
  if (r.holePunch) services.dcutr = dcutr()
  if (server) {
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: r.maxReservations,
        reservationTtl: r.reservationTtlMs,
        // 0 in our config means "no limit": the relayed connection is then unlimited.
        applyDefaultLimit: r.dataLimitBytes > 0 || r.durationLimitMs > 0,
        defaultDataLimit: BigInt(r.dataLimitBytes > 0 ? r.dataLimitBytes : Number.MAX_SAFE_INTEGER),
        defaultDurationLimit: r.durationLimitMs > 0 ? r.durationLimitMs : 2 ** 31 - 1
      }
    })
  }
  return {
    transports: [circuitRelayTransport({ reservationCompletionTimeout: r.reserveTimeoutMs })],
    services
  }
}

interface NatHostComponents {
  peerId: PeerId
  transportManager: TransportManager
  addressManager: AddressManager
  logger: ComponentLogger
  /** The circuit-relay server (service 'relay'), when this host runs one. */
  relay?: unknown
}

interface NatHostInit {
  relayServer: boolean
  reserveTimeoutMs: number
}

function natHost (init: NatHostInit) {
  return (components: NatHostComponents): Libp2pNatHost => new Libp2pNatHost(components, init)
}

const isCircuit = (ma: Multiaddr): boolean => ma.toString().includes('/p2p-circuit')

export class Libp2pNatHost implements NatHost {
  readonly relayServer: boolean
  private readonly components: NatHostComponents
  private readonly reserveTimeoutMs: number
  private readonly log: Logger
  /** Circuit listeners we created, so a dead one can be closed before re-reserving. */
  private readonly mine = new Map<Listener, string>()

  constructor (components: NatHostComponents, init: NatHostInit) {
    this.components = components
    this.relayServer = init.relayServer
    this.reserveTimeoutMs = init.reserveTimeoutMs
    this.log = components.logger.forComponent('peerhive:nat')
  }

  reachability (): Reachability {
    const addrs = this.components.addressManager.getAddressesWithMetadata()
    const publicVerified = addrs.some(a => a.verified && !isCircuit(a.multiaddr) && !isPrivate(a.multiaddr) && isIp(a.multiaddr))
    if (publicVerified) return 'public'
    const publicUnverified = addrs.some(a => !a.verified && !isCircuit(a.multiaddr) && isIp(a.multiaddr))
    return publicUnverified ? 'private' : 'unknown'
  }

  async reserve (relayAddrs: string[]): Promise<string[]> {
    const relay = relayAddrs.map(a => multiaddr(a)).find(ma => ma.getComponents().some(c => c.name === 'p2p') && !isCircuit(ma))
    if (relay === undefined) throw new NetError('unreachable', `no relay address ending in /p2p/<id> among ${relayAddrs.join(', ')}`)
    const relayId = relay.getComponents().filter(c => c.name === 'p2p').pop()?.value ?? ''
    // A listener whose relay is gone holds no addresses and is never revived (#3601):
    // close it first (closing cancels the store's reservations, so never after a new one).
    for (const [l, id] of this.mine) {
      if (l.getAddrs().length === 0 || id === relayId) {
        this.mine.delete(l)
        await l.close().catch((err: Error) => { this.log('closing stale circuit listener failed: %s', err.message) })
      }
    }
    const before = new Set(this.components.transportManager.getListeners())
    const target = relay.encapsulate('/p2p-circuit')
    try {
      await withTimeout(this.components.transportManager.listen([target]), this.reserveTimeoutMs, `reservation on ${relayId}`)
    } finally {
      for (const l of this.components.transportManager.getListeners()) if (!before.has(l)) this.mine.set(l, relayId)
    }
    const got = this.relayedAddresses(relayId as PeerKey)
    if (got.length === 0) throw new NetError('unreachable', `relay ${relayId} granted no reservation`, { peer: relayId })
    return got
  }

  relayedAddresses (relay?: PeerKey): string[] {
    const self = this.components.peerId.toString()
    const out: string[] = []
    for (const [l, id] of this.mine) {
      if (relay !== undefined && id !== relay) continue
      for (const ma of l.getAddrs()) out.push(`${ma.toString()}/p2p/${self}`)
    }
    return out
  }

  reservations (): number {
    if (!this.relayServer) return 0
    // Sibling services become components by name once libp2p has built them all.
    try {
      return (this.components.relay as { reservations: { size: number } } | undefined)?.reservations.size ?? 0
    } catch {
      return 0
    }
  }
}

function isIp (ma: Multiaddr): boolean {
  const first = ma.getComponents()[0]?.name
  return first === 'ip4' || first === 'ip6'
}

async function withTimeout<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new NetError('timeout', `${what} timed out after ${ms} ms`, { timeoutMs: ms })), ms)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}
