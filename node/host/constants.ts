/**
 * Host and net-adapter constants. Each is named once here with the reason for its value;
 * the ones a user may want to change are config fields (config/peer-config.ts `net.*`).
 */

/**
 * Bytes the envelope adds around a protocol payload: version (1) + kind (1) + request id
 * varint (at most 8, see ByteReader.varint). Frames longer than maxMessageBytes plus this
 * are oversized.
 */
export const ENVELOPE_OVERHEAD_BYTES = 10

/**
 * Streams per connection and protocol. One ordered channel per (peer, protocol) needs one
 * each way; the slack absorbs both sides opening at once and a stream being replaced
 * while the old one drains.
 */
export const MAX_INBOUND_STREAMS = 8
export const MAX_OUTBOUND_STREAMS = 8

/**
 * libp2p aborts a stream after 120 s without traffic. A channel with no write for this
 * long sends a keep-alive frame, well inside that limit even on a slow sweep.
 */
export const KEEPALIVE_INTERVAL_MS = 30_000

/**
 * A channel that carried nothing for this long is closed rather than kept alive: the
 * next send reopens one, and idle peers do not hold streams forever.
 */
export const CHANNEL_IDLE_CLOSE_MS = 10 * 60_000

/**
 * Token bucket depth for rate caps, in milliseconds of the configured rate: small, so a
 * cap shows within a fraction of a second, but larger than one timer tick.
 */
export const RATE_BURST_MS = 100

/** Connection keeper: first retry of a failed bootstrap dial, doubling up to the max. */
export const BOOTSTRAP_RETRY_BASE_MS = 500
export const BOOTSTRAP_RETRY_MAX_MS = 30_000
/** Bootstrap dial attempts per address before the keeper leaves it to its periodic sweep. */
export const BOOTSTRAP_MAX_ATTEMPTS = 6

/**
 * Connection keeper period: fast while below the low-water mark (a joining peer fills its
 * table in a few seconds), slow once healthy (the sweep is then just a check).
 */
export const KEEPER_FAST_INTERVAL_MS = 1_000
export const KEEPER_SLOW_INTERVAL_MS = 15_000

/** Peers a keeper tick dials at most at once: enough to fill quickly without a dial storm. */
export const KEEPER_MAX_PARALLEL_DIALS = 4

/** Peer exchange: peers (with addresses) one answer carries, and its byte limit. */
export const PEX_MAX_PEERS = 32
export const PEX_MAX_ADDRS_PER_PEER = 8
export const PEX_MAX_MESSAGE_BYTES = 64 * 1024
/** Deadline of one peer-exchange round trip. */
export const PEX_TIMEOUT_MS = 5_000
