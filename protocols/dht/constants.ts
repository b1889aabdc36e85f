/** DHT protocol constants: each is a config default or a wire limit, with why that value. */

export const DHT_PROTOCOL_ID = '/peerhive/dht/1.0.0'

/** Ring width: SHA-256 truncated to 160 bits, Chord's original width; collisions are negligible at any realistic size. */
export const DEFAULT_ID_BITS = 160

/**
 * Successor list length r: about log2 of the expected size (a few hundred peers), so a
 * member survives r - 1 consecutive failures, at the cost of r entries refreshed per stabilize.
 */
export const DEFAULT_SUCCESSORS = 8

/** Copies kept besides the owner: 3 survives any three simultaneous losses among a key's holders. */
export const DEFAULT_REPLICAS = 3

/** Stabilize period: one request to the successor; 1 s repairs a ring in seconds at ~1 msg/s/peer. */
export const DEFAULT_STABILIZE_MS = 1_000

/** Fix-fingers period: one finger lookup per tick; fingers only speed lookups, so slower than stabilize. */
export const DEFAULT_FIX_FINGERS_MS = 2_000

/** Check-predecessor period: a dead predecessor blocks rectify from the next live one until cleared. */
export const DEFAULT_CHECK_PREDECESSOR_MS = 2_000

/** Successor pings: every list entry pinged, so dead entries leave the list before they are needed. */
export const DEFAULT_PING_SUCCESSORS_MS = 5_000

/** Replica repair: owners offer their keys to their replica holders; cheap digests, so every 10 s. */
export const DEFAULT_REPAIR_MS = 10_000

/** Provider records live one hour unless republished... */
export const DEFAULT_PROVIDER_TTL_MS = 60 * 60_000

/** ...and providers republish three times per lifetime, so one lost round loses nothing. */
export const DEFAULT_REPUBLISH_MS = 20 * 60_000

/** One RPC's deadline: a live peer on any real link answers well within 2 s. */
export const DEFAULT_RPC_TIMEOUT_MS = 2_000

/** A whole lookup's deadline, with room for a few dead hops at the RPC deadline each. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 10_000

/** Hop limit: O(log N) hops are expected; 64 only stops a pathological walk. */
export const DEFAULT_LOOKUP_MAX_HOPS = 64

/**
 * Back-to-back stabilize runs one task may chain when nudges keep arriving: a nudge
 * means our successor's predecessor changed, and sorting a gap that several peers joined
 * at once takes a few such runs; past this, the next tick or nudge starts afresh.
 */
export const MAX_STABILIZE_RERUNS = 8

/**
 * Predecessors one stabilize walks back through to reach its true successor: each step
 * is one request; a gap that a few peers joined at once is sorted out within one run.
 */
export const MAX_STABILIZE_WALK = 8

/**
 * Steps fix-fingers takes back along predecessors from the finger it holds (one request
 * each) before falling back to a full lookup: a finger moves by one or two peers when
 * peers join near it, by many only after a burst of joins or a long absence.
 */
export const FINGER_CHECK_STEPS = 3

/** Peers a join tries before giving up for this round (each costs one lookup). */
export const JOIN_CANDIDATES = 4

/** Candidates one lookup step returns: the best plus fallbacks if it is dead. */
export const STEP_FANOUT = 3

/** Largest value accepted by default: small records (names, pointers), not files. */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024

/** Upper bound for the configurable value limit, so any value fits in one frame. */
export const MAX_VALUE_BYTES_LIMIT = 256 * 1024

/** Largest key (UTF-8 bytes): keys are names or content links. */
export const MAX_KEY_BYTES = 512

/** Peers named in one message (successor lists, candidates, providers). */
export const MAX_NODES_PER_MESSAGE = 64

/** Addresses carried per peer, and the length of one address. */
export const MAX_ADDRS_PER_PEER = 8
export const MAX_ADDR_BYTES = 256

/** Peer key length on the wire (a base58 multihash is ~52 characters). */
export const MAX_PEER_KEY_BYTES = 128

/** Items in one repair offer or want list, and bytes of records in one replicate batch. */
export const MAX_OFFER_ITEMS = 1024
export const REPLICATE_BATCH_BYTES = 256 * 1024

/** Largest frame: a replicate batch plus one maximal value and headers. */
export const MAX_MESSAGE_BYTES = REPLICATE_BATCH_BYTES + MAX_VALUE_BYTES_LIMIT + 64 * 1024

/** Peers remembered as dead, and for how long: skips them in routing without growing forever. */
export const MAX_SUSPECTS = 256
export const SUSPECT_TTL_MS = 30_000

/** Addresses remembered for peers we may need to dial (bounded for 10,000-peer simulations). */
export const MAX_ADDRESS_BOOK = 256

/** Providers returned per query by default, and kept per key. */
export const DEFAULT_PROVIDER_LIMIT = 20
export const MAX_PROVIDERS_PER_KEY = 64

/**
 * Owner groups one repair pass checks for stale copies (one lookup and one offer each).
 * A steady ring has none; after joins a member has at most a few (one per owner that a
 * joiner pushed it out of the replica set of), so a few per pass clears them in a few passes.
 */
export const MAX_GC_GROUPS_PER_REPAIR = 4

/** Put retries on the next successor when the owner fails mid-put. */
export const PUT_ATTEMPTS = 3

/** Peer ring ids memoised per process before the memo starts over: every peer of a 10,000-peer simulation at two ring widths. */
export const PEER_ID_MEMO_ENTRIES = 1 << 15

/**
 * Peer keys and address lists the address books of one process share, before the memo
 * starts over: every peer of a 10,000-peer simulation. A real node's book holds 256
 * entries, so there the memo stays small.
 */
export const ADDRESS_INTERN_ENTRIES = 1 << 15
