import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { memory } from '@libp2p/memory'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import type { Datastore } from 'interface-datastore'
import { createLibp2p } from 'libp2p'
import type { PeerConfig } from '../../config/peer-config.ts'
import type { BanList } from './ban-list.ts'
import { YAMUX_MAX_STREAM_WINDOW_BYTES } from './constants.ts'
import { natServices } from './nat-services.ts'

export interface HostInit {
  config: PeerConfig
  privateKey: PrivateKey
  banList: BanList
  /** Persistent datastore for the peer store (address book); in memory when omitted. */
  datastore?: Datastore
}

/**
 * The libp2p node of one peer, built from its config and not yet started: TCP or the
 * memory transport, Noise, Yamux, identify, ping, mDNS when enabled, the connection
 * manager from `net.*`, a gater refusing banned peers, plus NAT services (relay module).
 */
export async function createHost (init: HostInit): Promise<Libp2p> {
  const { config, privateKey, banList } = init
  const net = config.net
  const nat = natServices(config)
  const listen = listenAddresses(config, privateKey)
  return await createLibp2p({
    privateKey,
    start: false,
    ...(init.datastore !== undefined ? { datastore: init.datastore } : {}),
    addresses: { listen, ...(net.announce.length > 0 ? { announce: net.announce } : {}) },
    transports: [net.transport === 'memory' ? memory() : tcp(), ...nat.transports],
    connectionEncrypters: [noise()],
    // A bounded window keeps a paused stream within libp2p's read buffer (constants.ts).
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW_BYTES } })],
    connectionGater: banList.gater(),
    connectionManager: {
      maxConnections: net.highWater,
      inboundConnectionThreshold: net.inboundConnectionThreshold,
      maxIncomingPendingConnections: net.maxIncomingPendingConnections,
      dialTimeout: net.dialTimeoutMs,
      allow: net.allow
    },
    connectionMonitor: net.connectionPingMs > 0 ? { pingInterval: net.connectionPingMs } : { enabled: false },
    peerDiscovery: net.mdns ? [mdns()] : [],
    services: {
      identify: identify(),
      ping: ping(),
      ...nat.services
    }
  }) as unknown as Libp2p
}

/**
 * Listen addresses. On the memory transport a TCP default makes no sense, so a peer
 * listens on `/memory/<its peer id>`: unique in the process without coordination.
 */
export function listenAddresses (config: PeerConfig, privateKey: PrivateKey): string[] {
  if (config.net.transport === 'memory') {
    const own = config.net.listen.filter(a => a.startsWith('/memory/'))
    return own.length > 0 ? own : [`/memory/${peerIdFromPrivateKey(privateKey).toString()}`]
  }
  return config.net.listen
}
