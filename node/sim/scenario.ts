/**
 * A simulation scenario: who is in the swarm, what their links are, what happens over
 * time, and what they do (the workload). Plain data, so a scenario file (JSON in sim/)
 * and a programmatic `simulate({...})` call are the same thing.
 */

/** A group of identical peers. */
export interface PeerGroup {
  count: number
  /** 'seed' and 'leecher' for the chunk workload; 'free-rider' uploads nothing; 'peer' otherwise. */
  role?: PeerRole
  /** Access link capacities in bytes/s (0 or absent: unlimited). */
  uploadBps?: number
  downloadBps?: number
  /** One-way access latency in ms; a link's latency is the sum of both ends' (default 5 + 5). */
  latencyMs?: number
  /** Behind NAT: accepts no inbound connection. */
  nat?: boolean
  /** Virtual time (ms) this group starts joining; peers spread over `joinSpreadMs` (flash crowd: 0). */
  joinAt?: number
  joinSpreadMs?: number
  /** Config overrides for these peers (same shape as a config file). */
  config?: Record<string, unknown>
}

export type PeerRole = 'seed' | 'leecher' | 'free-rider' | 'peer'

export interface LinkSpec {
  /** Probability a frame is lost (default 0). */
  lossRate?: number
  /**
   * How a capped link orders frames: `fair` (default) shares it among remotes as TCP
   * connections through one bottleneck do; `fifo` serves frames in send order across all
   * remotes, as the libp2p host's token-bucket rate limiter does.
   */
  discipline?: 'fair' | 'fifo'
}

/** A failure or membership change at virtual time `at` (ms). */
export interface ChurnEvent {
  at: number
  action: 'crash' | 'stop' | 'restart' | 'cut' | 'reconnect' | 'partition' | 'heal'
  /** Explicit peer ids, or `count` picked at random (seeded) among peers in `role`. */
  peers?: string[]
  count?: number
  role?: PeerRole
  /** partition: number of groups to split the swarm into (peers assigned at random). */
  groups?: number
}

export interface FileSpec {
  sizeBytes: number
  chunkSize?: number
  blockSize?: number
}

export interface DhtWorkloadSpec {
  lookups: number
  /** Time after the last join before lookups start (lets the ring stabilise). */
  settleMs?: number
  /** Lookups issued per second of virtual time (default: all at once, spread over 1 s). */
  perSecond?: number
}

export interface SearchWorkloadSpec {
  queries: number
  ttls?: number[]
  /** Files each peer shares and how many distinct titles exist. */
  filesPerPeer?: number
  titles?: number
}

export interface Scenario {
  name?: string
  seed: number | string
  /** 'chunks' (file distribution), 'dht' (lookups), 'search' (flood queries), or a Workload object. */
  workload: string
  peers: PeerGroup[]
  links?: LinkSpec
  file?: FileSpec
  dht?: DhtWorkloadSpec
  search?: SearchWorkloadSpec
  churn?: ChurnEvent[]
  /** Config overrides for every peer. */
  config?: Record<string, unknown>
  /** Peers each joiner dials on start, picked at random among running ones (default 3). */
  bootstrapPeers?: number
  /** Stop at this virtual time (ms) even if the workload is not done. */
  until: number
  /** Sample the time series this often (ms of virtual time; default until / 200). */
  sampleEveryMs?: number
  /**
   * Run once per value of `n`, setting the size of the group with `role` (default
   * 'leecher'): the textbook distribution-time curve against the D_P2P and D_cs bounds.
   */
  sweep?: { n: number[], role?: PeerRole }
  /** Safety bound on clock events (default 50 million). */
  maxEvents?: number
}
