/**
 * Relay protocol constants. Each is a config default (protocols/relay/config.ts) or a
 * wire bound; the comment says why that value.
 */

/**
 * Wire protocol id of the supernode layer (attach, directory, index, children's searches).
 * 2: name claims carry their owner's signature, and tier searches moved to flood search
 * (TIER_SEARCH_PROTOCOL_ID), so `query`/`hits` changed layout.
 */
export const RELAY_PROTOCOL_ID = '/peerhive/relay/2.0.0'

/**
 * Reservations a supernode grants at once. libp2p's default (15) is a home-router figure;
 * a KaZaA group leader served 100-150 children, so we allow a little more.
 */
export const DEFAULT_MAX_RESERVATIONS = 200

/**
 * Bytes one relayed connection may carry (both directions) before the relay resets it.
 * libp2p's 128 KiB cuts any file transfer in milliseconds; 8 GiB lets a large file cross
 * the relay while still bounding what one pair can cost a volunteer supernode.
 */
export const DEFAULT_RELAY_DATA_LIMIT_BYTES = 8 * 1024 ** 3

/**
 * How long one relayed connection may stay open. libp2p's 2 minutes cuts transfers; 2 h
 * covers a large download, after which the peers simply reconnect through the relay.
 */
export const DEFAULT_RELAY_DURATION_LIMIT_MS = 2 * 60 * 60 * 1000

/** Reservation lifetime on the supernode; the client library refreshes it before expiry. */
export const DEFAULT_RESERVATION_TTL_MS = 60 * 60 * 1000

/**
 * How often an attached child checks its supernode link and reservation (and the
 * supernode re-checks its children). Short enough that failover happens within seconds of
 * a supernode vanishing, long enough to cost nothing.
 */
export const DEFAULT_CHECK_INTERVAL_MS = 5_000

/** A child's directory claim and index upload live this long on a supernode unless refreshed. */
export const DEFAULT_CLAIM_TTL_MS = 10 * 60 * 1000

/** Children re-announce (claim + descriptors) this often, well inside the TTL. */
export const DEFAULT_REFRESH_INTERVAL_MS = 3 * 60 * 1000

/** Descriptors one child may have in its supernode's index: bounds memory per child. */
export const DEFAULT_MAX_DESCRIPTORS_PER_CHILD = 2_000

/**
 * Index updates a child may send per minute. A well-behaved child sends one per refresh
 * interval plus one per share; past this it is flooding and is cut off (KaZaA safety).
 */
export const DEFAULT_MAX_UPDATES_PER_MINUTE = 30

/** How long a cut-off child stays refused. */
export const DEFAULT_CUTOFF_MS = 10 * 60 * 1000

/** Hops a query travels among supernodes (the supernode tier is small; 3 reaches far). */
export const DEFAULT_TIER_TTL = 3

/** Hits a supernode returns for one query (its own index plus the tier's). */
export const DEFAULT_MAX_HITS = 100

/** How long a supernode waits for the tier's answers to a forwarded query. */
export const DEFAULT_TIER_QUERY_TIMEOUT_MS = 3_000

/**
 * Wire protocol id of the supernode tier's flood search: flood search's own messages and
 * routing (GUID de-dup, TTL, reverse path) on a separate overlay whose neighbours are the
 * connected supernodes only, so queries never reach children.
 */
export const TIER_SEARCH_PROTOCOL_ID = '/peerhive/relay-tier-search/1.0.0'

/**
 * Queries per second one supernode accepts from another. A supernode forwards the searches
 * of all its children (a hundred or more), so flood search's per-neighbour default (10/s,
 * sized for one user) would drop honest tier traffic.
 */
export const TIER_QUERY_RATE_PER_SEC = 200
export const TIER_QUERY_BURST = 400

/**
 * Searches per second one child may run through its supernode: a person types a few a
 * minute; a script past this is throttled before it costs the tier anything.
 */
export const CHILD_QUERY_RATE_PER_SEC = 2
export const CHILD_QUERY_BURST = 10

/** Share of a child's search deadline the supernode spends collecting tier answers (the rest carries them back). */
export const TIER_DEADLINE_SHARE = 0.8

/** Longest search a child may ask its supernode to run (flood search's own ceiling). */
export const MAX_QUERY_TIMEOUT_MS = 60_000

/** Wire bounds: a frame carries at most one upload batch of descriptors. */
export const MAX_MESSAGE_BYTES = 1024 * 1024
export const MAX_NAME_BYTES = 64
export const MAX_ADDRS = 16
export const MAX_ADDR_BYTES = 512
export const MAX_DESCRIPTORS_PER_MESSAGE = 2_000
export const MAX_FILE_NAME_BYTES = 512
export const MAX_TAGS = 16
export const MAX_TAG_BYTES = 64
export const MAX_QUERY_BYTES = 256
export const MAX_HITS_PER_MESSAGE = 500
export const MAX_PEERS_PER_MESSAGE = 64
export const MAX_KEY_BYTES = 128
export const MAX_SIG_BYTES = 128
