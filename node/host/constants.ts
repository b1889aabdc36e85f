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

/**
 * Stream reader flow control (node/host/stream-reader.ts): a reader holding this many
 * unread bytes pauses its stream (the remote's writes then wait on the yamux window), and
 * resumes below the low mark. 1 MiB keeps a fast link busy while the actor or a download
 * cap catches up; per (peer, protocol) stream it bounds memory to this plus one window.
 */
export const READ_HIGH_WATER_BYTES = 1024 * 1024
export const READ_LOW_WATER_BYTES = 256 * 1024

/**
 * Largest yamux receive window per stream. A paused stream can still receive what the
 * remote was granted before the pause, up to one window, into libp2p's read buffer that
 * aborts past 4 MiB; yamux's default maximum (16 MiB) would overflow it, 2 MiB leaves
 * room. 2 MiB per round trip is 20 MB/s per stream at 100 ms RTT.
 */
export const YAMUX_MAX_STREAM_WINDOW_BYTES = 2 * 1024 * 1024

/** Bulk streams: sub-protocol suffix; `<wire id>/bulk` carries one payload per stream. */
export const BULK_PROTOCOL_SUFFIX = '/bulk'

/**
 * Bytes a bulk writer hands the stream (and the rate limiter) at once: small enough that
 * a rate cap shows smoothly and a chunk fits a yamux frame, large enough to cost little.
 */
export const BULK_WRITE_PIECE_BYTES = 64 * 1024

/** Largest piece a bulk source yields at once, so a consumer never gets one huge array. */
export const BULK_READ_PIECE_BYTES = 256 * 1024

/**
 * Bulk streams open per connection and direction: a few payloads at once per peer is
 * plenty (each is large); more is a peer trying to pin our memory with paused streams.
 */
export const MAX_BULK_STREAMS = 4

/**
 * Deadline for the header frame of an inbound bulk stream: a peer that opens one and
 * sends nothing must not hold it (the header is one small frame).
 */
export const BULK_HEADER_TIMEOUT_MS = 10_000

/**
 * A channel's batch goes to the stream as a list of parts, not one concatenated buffer:
 * noise encrypts a list part by part without joining it, so a piece's block travels from
 * the sender's chunk cache to the cipher uncopied (each 64 MiB copied is also 64 MiB more
 * external memory, about one more full GC of the process). Runs of parts below this size
 * (length prefixes, envelope and message headers, small messages) are joined first: each
 * part costs the cipher a call and the socket a write.
 */
export const BATCH_JOIN_BELOW_BYTES = 4096
