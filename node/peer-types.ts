import type { ActorStatus, ActorSystem } from './kernel/system.ts'
import type { Logger } from './ports/logger.ts'
import type { PeerKey } from './ports/net.ts'
import type { ServiceRegistry } from './plugin.ts'

/** What `peerhive status` and the control API report about a running peer. */
export interface PeerStatus {
  peerId: PeerKey
  name?: string
  addresses: string[]
  connections: Array<{ peer: PeerKey, addr: string, direction: 'inbound' | 'outbound', limited: boolean }>
  actors: ActorStatus[]
  uptimeMs: number
}

/** A running peer (real libp2p or simulated): the programmatic API users and tests hold. */
export interface Peer {
  readonly id: PeerKey
  readonly logger: Logger
  readonly system: ActorSystem
  /** Protocol APIs by module name ('chunks', 'dht', 'search', 'relay'). */
  readonly services: ServiceRegistry
  multiaddrs(): string[]
  status(): PeerStatus
  /** Graceful: actors stop, connections close, the store flushes. Idempotent. */
  stop(): Promise<void>
}
