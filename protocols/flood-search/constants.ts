/**
 * Flood-search constants. Each is the default of a config field (config.ts) or a wire
 * limit (messages.ts); the comment says why that value.
 */

/** libp2p protocol id; the major version changes with the wire format. */
export const SEARCH_PROTOCOL_ID = '/peerhive/search/1.1.0'

/** Descriptor ids are 16 random bytes, as in Gnutella: collisions are negligible at any swarm size. */
export const GUID_BYTES = 16

/** Gnutella's customary TTL: 7 hops at degree 4-8 reaches thousands of peers, more only multiplies duplicates. */
export const DEFAULT_TTL = 7

/** Incoming TTLs above this are clamped, so a peer cannot make its queries travel further than the swarm allows. */
export const DEFAULT_MAX_TTL = 7

/** A TTL on the wire is one byte; no config may allow more. */
export const TTL_LIMIT = 255

/** The issue asks for fewer than 10 neighbours: a flood's cost grows with degree, its reach barely past 8. */
export const DEGREE_LIMIT = 9

/** Neighbours a peer tries to keep: 4 gives a connected random graph with few duplicates per query. */
export const DEFAULT_TARGET_DEGREE = 4

/** Neighbours a peer accepts before refusing (answering with other peers to try): room for joiners above the target. */
export const DEFAULT_MAX_DEGREE = 8

/**
 * GUIDs remembered (seen descriptors and their reverse path). 10,000 entries of ~100 bytes
 * stay near 1 MB and cover minutes of heavy traffic; older entries go first.
 */
export const DEFAULT_GUID_CACHE_SIZE = 10_000

/**
 * How long a GUID is remembered. Longer than any search deadline (MAX_SEARCH_TIMEOUT_MS), so a
 * late duplicate is still recognised and a late QueryHit still finds its way back.
 */
export const DEFAULT_GUID_EXPIRY_MS = 120_000

/**
 * Queries accepted per second from one neighbour, and the burst allowed above that. A person
 * types a query every few seconds; 10/s with a burst of 40 leaves room for a neighbour that
 * forwards others' queries, while a peer firing thousands only gets its burst through.
 */
export const DEFAULT_QUERY_RATE_PER_SEC = 10
export const DEFAULT_QUERY_BURST = 40

/** Results in one QueryHit: enough for a page of answers; more would need several frames. */
export const DEFAULT_MAX_RESULTS_PER_HIT = 20
export const MAX_RESULTS_PER_HIT_LIMIT = 64

/** Largest frame sent or accepted: 20 results with long names fit; anything bigger is abuse. */
export const MAX_MESSAGE_BYTES = 32 * 1024

/** Keywords per query and bytes per keyword: a search is a few words, not a document. */
export const MAX_KEYWORDS = 8
export const MAX_KEYWORD_BYTES = 64

/** Addresses per peer in Pongs and QueryHits (a peer has a few listen addresses), each bounded. */
export const MAX_ADDRS = 8
export const MAX_ADDR_BYTES = 256
/** A base58 peer id is ~52 characters; 128 leaves room for any key type. */
export const MAX_PEER_ID_BYTES = 128

/** Shared-file fields in a QueryHit: a file name, a CID link, a few short tags. */
export const MAX_NAME_BYTES = 255
export const MAX_LINK_BYTES = 128
export const MAX_TAGS = 8
export const MAX_TAG_BYTES = 32

/** Peers offered to a refused joiner: enough to reach its target degree without asking again. */
export const MAX_TRY_PEERS = 8

/** Bytes of a Bye's reason: a short human-readable word or phrase. */
export const MAX_REASON_BYTES = 128

/** Neighbours are pinged this often: it keeps streams alive (libp2p drops idle ones after 120 s) and proves liveness. */
export const DEFAULT_PING_INTERVAL_MS = 15_000

/** A neighbour silent this long (three missed pings) is dropped and replaced. */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 45_000

/** Overlay maintenance (dial towards the target degree) runs this often: fast enough to heal in seconds. */
export const DEFAULT_MAINTAIN_INTERVAL_MS = 1_000

/** Join Pings travel this far: 3 hops at degree 4 reach ~50 peers, plenty of addresses to connect to. */
export const DEFAULT_JOIN_PING_TTL = 3

/** Known peers (address book of the overlay), oldest evicted first. */
export const DEFAULT_HOST_CACHE_SIZE = 256

/** After a failed dial or a refusal, a candidate rests this long before being tried again. */
export const DIAL_BACKOFF_MS = 10_000

/** Deadline of the neighbour handshake (dial included). */
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000

/** Dials in flight once joined; while joining, candidates are tried one by one. */
export const MAX_PARALLEL_DIALS = 3

/**
 * Flow control, as Gnutella 0.6 servents do it: descriptors not yet taken by the transport
 * towards one neighbour. Past this, Pings, Pongs and Queries to it are dropped (a flood
 * reaches most peers over several paths, and a saturated link would only queue them for
 * seconds, unboundedly); QueryHits, which a searcher is waiting for on this one reverse
 * path, get twice the room.
 */
export const SEND_QUEUE_LIMIT = 64

/** Default search deadline: a TTL-7 flood over LAN or a healthy WAN is answered within a few seconds. */
export const DEFAULT_SEARCH_TIMEOUT_MS = 5_000

/** A search never waits longer than this; GUID expiry is longer so late hits still route. */
export const MAX_SEARCH_TIMEOUT_MS = 60_000

/** Hits one local search collects before it ignores more: bounds the memory of a popular query. */
export const MAX_HITS_PER_SEARCH = 1_000

/** Searches in flight from this peer's own API: each holds a GUID entry, a timer and a result stream. */
export const MAX_ACTIVE_SEARCHES = 2_000

/** Store key of the persisted host cache (reloaded after a restart to rejoin). */
export const HOST_CACHE_KEY = 'host-cache'
