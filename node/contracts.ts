import type { PeerKey } from './ports/net.ts'

/**
 * Contracts between protocol modules, so one can use another through the service
 * registry without importing its internals. Each is optional at the consumer: a peer
 * may run without the DHT, and the chunk exchange still works from its tracker.
 */

/** Where to find peers that have some content (the DHT implements it as 'dht'). */
export interface ProviderIndex {
  /** Announce this peer as a provider of `key` (republished by the provider). */
  provide(key: string): Promise<void>
  findProviders(key: string, opts?: { limit?: number }): Promise<ProviderRecord[]>
}

export interface ProviderRecord {
  peer: PeerKey
  addrs: string[]
}

/** A file this peer shares, as search and the supernode index see it. */
export interface SharedFileInfo {
  /** The share link: the manifest CID (base32). */
  link: string
  name: string
  size: number
  tags?: string[]
}

/** What this peer shares (the chunk exchange implements it as 'chunks'). */
export interface Catalog {
  listShared(): Promise<SharedFileInfo[]>
}

/** One search hit (flood search and the supernode index both return these). */
export interface SearchHit {
  file: SharedFileInfo
  peer: PeerKey
  addrs: string[]
}

/** Whether this peer can be dialled from outside, as the host sees it (AutoNAT-verified addresses). */
export type Reachability = 'public' | 'private' | 'unknown'

/**
 * What the relay protocol may ask of the host about NAT traversal, and nothing more
 * (implemented over libp2p in node/host/nat-services.ts; the host registers it as service
 * 'nat'). Without it (simulator), the relay layer runs on roles from config alone.
 */
export interface NatHost {
  reachability(): Reachability
  /** Whether this host runs the circuit-relay server (so it can serve as a supernode). */
  readonly relayServer: boolean
  /**
   * Reserve a slot on the relay reachable at `relayAddrs` (multiaddrs ending /p2p/<id>)
   * and listen through it. Resolves to our relayed addresses via that relay; rejects when
   * the relay refuses or cannot be reached.
   */
  reserve(relayAddrs: string[]): Promise<string[]>
  /** Our relayed addresses right now (empty once the relay connection is gone). */
  relayedAddresses(relay?: PeerKey): string[]
  /** Reservations this host currently grants as a relay server. */
  reservations(): number
}

/**
 * A search route through a supernode (the relay module implements it as 'relay'): a peer
 * attached to a supernode (KaZaA child) searches through it, which answers from its group
 * index and floods among supernodes only, instead of flooding the overlay itself.
 */
export interface UpstreamSearch {
  /** Whether this peer's searches go through its supernode now (it is attached to one). */
  searchesUpstream(): Promise<boolean>
  /** Hits for `keywords` from the supernode tier within `timeoutMs`, with the query's GUID (32 hex digits). */
  searchUpstream(keywords: string[], opts: { ttl?: number, timeoutMs: number }): Promise<{ guid: string, hits: UpstreamHit[] }>
}

/** A hit from the supernode tier; `hops` counts supernodes between the holder's leader and us. */
export interface UpstreamHit extends SearchHit {
  hops: number
}
