import { bool, int, oneOf, strList } from '../../config/schema.ts'
import {
  DEFAULT_CHECK_INTERVAL_MS, DEFAULT_CLAIM_TTL_MS, DEFAULT_CUTOFF_MS, DEFAULT_MAX_DESCRIPTORS_PER_CHILD, DEFAULT_MAX_HITS,
  DEFAULT_MAX_RESERVATIONS, DEFAULT_MAX_UPDATES_PER_MINUTE, DEFAULT_REFRESH_INTERVAL_MS, DEFAULT_RELAY_DATA_LIMIT_BYTES,
  DEFAULT_RELAY_DURATION_LIMIT_MS, DEFAULT_RESERVATION_TTL_MS, DEFAULT_TIER_QUERY_TIMEOUT_MS, DEFAULT_TIER_TTL
} from './constants.ts'

const multiaddrLike = (s: string): boolean => s.startsWith('/')

/** The `relay` config section: roles, supernode limits, attaching, directory and index. */
export const relaySection = {
  enabled: bool({ default: true, doc: 'Run the relay protocol (supernodes, relaying, name directory) on this peer.' }),
  role: oneOf({ default: 'auto', values: ['auto', 'super', 'ordinary'] as const, doc: 'super: serve as a supernode; ordinary: attach to one when behind NAT; auto: supernode once AutoNAT verifies a public address.' }),
  supernodes: strList({ default: [], doc: 'Known supernodes (multiaddrs ending /p2p/<id>) to attach to, besides bootstrap peers that turn out to be supernodes.', item: multiaddrLike, expected: 'a list of multiaddrs' }),
  attach: oneOf({ default: 'auto', values: ['auto', 'always', 'never'] as const, doc: 'Attach to a supernode (reserve a relay slot): auto when not a supernode and not publicly reachable; always; never.' }),
  maxReservations: int({ default: DEFAULT_MAX_RESERVATIONS, min: 1, doc: 'Relay reservations (children) a supernode grants at once.' }),
  dataLimitBytes: int({ default: DEFAULT_RELAY_DATA_LIMIT_BYTES, min: 0, doc: 'Bytes one relayed connection may carry before the supernode cuts it (0: no limit).' }),
  durationLimitMs: int({ default: DEFAULT_RELAY_DURATION_LIMIT_MS, min: 0, doc: 'How long one relayed connection may stay open (0: no limit).' }),
  reservationTtlMs: int({ default: DEFAULT_RESERVATION_TTL_MS, min: 1000, doc: 'Lifetime of a reservation on the supernode (renewed before expiry).' }),
  reserveTimeoutMs: int({ default: 10_000, min: 100, doc: 'Deadline for a supernode to grant a reservation.' }),
  holePunch: bool({ default: true, doc: 'Try to upgrade relayed connections to direct ones by hole punching (DCUtR); the relay stays the fallback.' }),
  checkIntervalMs: int({ default: DEFAULT_CHECK_INTERVAL_MS, min: 50, doc: 'How often a child checks its supernode and reservation (failover latency).' }),
  refreshIntervalMs: int({ default: DEFAULT_REFRESH_INTERVAL_MS, min: 100, doc: 'How often a child re-announces its name and shared files to its supernode.' }),
  claimTtlMs: int({ default: DEFAULT_CLAIM_TTL_MS, min: 200, doc: 'A directory entry or index upload expires this long after its last refresh.' }),
  maxDescriptorsPerChild: int({ default: DEFAULT_MAX_DESCRIPTORS_PER_CHILD, min: 1, doc: 'File descriptors one child may keep in its supernode\'s index.' }),
  maxUpdatesPerMinute: int({ default: DEFAULT_MAX_UPDATES_PER_MINUTE, min: 1, doc: 'Index updates per minute a child may send before it is cut off.' }),
  cutoffMs: int({ default: DEFAULT_CUTOFF_MS, min: 0, doc: 'How long a child that flooded index updates stays refused.' }),
  tierTtl: int({ default: DEFAULT_TIER_TTL, min: 0, max: 16, doc: 'Hops a query travels among supernodes.' }),
  maxHits: int({ default: DEFAULT_MAX_HITS, min: 1, max: 500, doc: 'Hits a supernode returns for one query.' }),
  tierQueryTimeoutMs: int({ default: DEFAULT_TIER_QUERY_TIMEOUT_MS, min: 50, doc: 'How long a supernode waits for other supernodes\' answers to a query.' })
}
