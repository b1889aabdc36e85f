import { bool, int, num, type SectionValue } from '../../config/schema.ts'
import {
  DEFAULT_GUID_CACHE_SIZE, DEFAULT_GUID_EXPIRY_MS, DEFAULT_HELLO_TIMEOUT_MS, DEFAULT_HOST_CACHE_SIZE, DEFAULT_JOIN_PING_TTL,
  DEFAULT_LIVENESS_TIMEOUT_MS, DEFAULT_MAINTAIN_INTERVAL_MS, DEFAULT_MAX_DEGREE, DEFAULT_MAX_RESULTS_PER_HIT, DEFAULT_MAX_TTL,
  DEFAULT_PING_INTERVAL_MS, DEFAULT_QUERY_BURST, DEFAULT_QUERY_RATE_PER_SEC, DEFAULT_SEARCH_TIMEOUT_MS, DEFAULT_TARGET_DEGREE,
  DEFAULT_TTL, DEGREE_LIMIT, MAX_RESULTS_PER_HIT_LIMIT, MAX_SEARCH_TIMEOUT_MS, TTL_LIMIT
} from './constants.ts'

/** The `search` config section; defaults from constants.ts (which say why each value). */
export const searchSection = {
  enabled: bool({ default: true, doc: 'Run flood search on this peer.' }),
  targetDegree: int({ default: DEFAULT_TARGET_DEGREE, min: 1, max: DEGREE_LIMIT, doc: 'Overlay neighbours the peer dials towards.' }),
  maxDegree: int({ default: DEFAULT_MAX_DEGREE, min: 1, max: DEGREE_LIMIT, doc: 'Overlay neighbours accepted before refusing joiners (fewer than 10; >= targetDegree).' }),
  defaultTtl: int({ default: DEFAULT_TTL, min: 1, max: TTL_LIMIT, doc: 'TTL of a search when the caller gives none.' }),
  maxTtl: int({ default: DEFAULT_MAX_TTL, min: 1, max: TTL_LIMIT, doc: 'Incoming TTLs above this are clamped.' }),
  guidCacheSize: int({ default: DEFAULT_GUID_CACHE_SIZE, min: 16, doc: 'GUIDs remembered for duplicate suppression and reverse paths.' }),
  guidExpiryMs: int({ default: DEFAULT_GUID_EXPIRY_MS, min: 1000, doc: 'How long a GUID is remembered.' }),
  queryRatePerSec: num({ default: DEFAULT_QUERY_RATE_PER_SEC, min: 0.01, doc: 'Queries per second accepted from one neighbour (token bucket rate).' }),
  queryBurst: int({ default: DEFAULT_QUERY_BURST, min: 1, doc: 'Queries accepted from one neighbour in a burst (token bucket size).' }),
  maxResultsPerHit: int({ default: DEFAULT_MAX_RESULTS_PER_HIT, min: 1, max: MAX_RESULTS_PER_HIT_LIMIT, doc: 'Results in one QueryHit.' }),
  pingIntervalMs: int({ default: DEFAULT_PING_INTERVAL_MS, min: 100, doc: 'Keep-alive Ping to each neighbour this often.' }),
  livenessTimeoutMs: int({ default: DEFAULT_LIVENESS_TIMEOUT_MS, min: 100, doc: 'A neighbour silent this long is dropped and replaced.' }),
  maintainIntervalMs: int({ default: DEFAULT_MAINTAIN_INTERVAL_MS, min: 10, doc: 'Overlay maintenance (dial towards the target degree) this often.' }),
  joinPingTtl: int({ default: DEFAULT_JOIN_PING_TTL, min: 1, max: TTL_LIMIT, doc: 'TTL of the Ping sent to discover more peers.' }),
  hostCacheSize: int({ default: DEFAULT_HOST_CACHE_SIZE, min: 1, doc: 'Known peers kept as neighbour candidates.' }),
  helloTimeoutMs: int({ default: DEFAULT_HELLO_TIMEOUT_MS, min: 10, doc: 'Deadline of the neighbour handshake.' }),
  defaultTimeoutMs: int({ default: DEFAULT_SEARCH_TIMEOUT_MS, min: 1, max: MAX_SEARCH_TIMEOUT_MS, doc: 'Deadline of a search when the caller gives none.' })
}

export type SearchConfig = SectionValue<typeof searchSection>
