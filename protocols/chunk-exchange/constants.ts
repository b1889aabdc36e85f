/**
 * Chunk-exchange constants. Each is the default of a `chunks.*` config field (config.ts)
 * or a hard wire limit; the comment says why that value.
 */

/**
 * Protocol id on the wire; the major version changes with any incompatible layout change
 * (2: the manifest moved from a frame to a bulk stream, `manifest` is now its header;
 * 3: `announce` says how many peers it wants back).
 */
export const CHUNKS_PROTOCOL_ID = '/peerhive/chunks/3.0.0'

/** 256 KiB: BitTorrent's long-standing piece size; a 64 MiB file has 256 chunks, small bitfields, cheap re-downloads of a bad chunk. */
export const DEFAULT_CHUNK_SIZE = 256 * 1024

/**
 * 64 KiB per request/piece. BitTorrent's 16 KiB is a convention, not a need: each piece costs
 * an actor message, an encode, a yamux frame and a Noise message whatever its size, and
 * profiling a 64 MiB two-peer uncapped transfer showed those per-piece costs, not bytes,
 * bounding throughput; 64 KiB quarters them (a piece then spans two Noise messages, whose
 * payload limit is just under 64 KiB, instead of one per 16 KiB). Under a 1 MB/s cap one block is
 * 64 ms of wire time, so a have or request queued behind a budget of two pieces still waits
 * well under a second; 4 blocks per 256 KiB chunk still let endgame split a chunk across peers.
 */
export const DEFAULT_BLOCK_SIZE = 64 * 1024

/** Largest block a peer may request or send: bounds a piece frame whatever the config says. */
export const MAX_BLOCK_SIZE = 128 * 1024

/** Smallest block size accepted from config: below this per-frame overhead dominates. */
export const MIN_BLOCK_SIZE = 1024

/** Largest chunk size: a chunk is assembled in memory before its hash is checked. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024

/** Chunk count limit of one manifest: 2^20 chunks (32 MiB of hashes would be absurd; 1 Mi x 256 KiB = 256 GiB). */
export const MAX_CHUNKS = 1 << 20

/**
 * Largest manifest: 2^16 chunks of hashes (16 GiB at 256 KiB chunks) fit in 2 MiB. It travels
 * on a bulk stream (the chunk wire's maxBulkBytes), so it no longer sets the frame limit.
 */
export const MAX_MANIFEST_BYTES = 2 * 1024 * 1024 + 4096

/** Largest file name in a manifest, in UTF-8 bytes (most file systems allow 255). */
export const MAX_NAME_BYTES = 255

/** Upload slots: the 4 best reciprocating peers, as in BitTorrent's tit-for-tat. */
export const DEFAULT_UPLOAD_SLOTS = 4

/** Rechoke every 10 s: long enough for TCP to ramp and rates to mean something, short enough to react. */
export const DEFAULT_RECHOKE_INTERVAL_MS = 10_000

/** Rotate the optimistic unchoke every 30 s: three rechoke rounds, time for a newcomer to prove its rate. */
export const DEFAULT_OPTIMISTIC_INTERVAL_MS = 30_000

/** Rates are averaged over 20 s: two rechoke periods, so one burst does not decide a slot. */
export const DEFAULT_RATE_WINDOW_MS = 20_000

/**
 * A rate is taken over at least the last 4 blocks (peer-rate.ts): with one block, whether it
 * landed inside the window decides the rate; four average out where each one landed.
 */
export const RATE_MIN_BLOCKS = 4

/**
 * Most block requests outstanding per peer (the depth the rate calls for, up to this):
 * 16 x 64 KiB = 1 MiB in flight keeps a fast loopback
 * link busy across one round trip (including both actors' mailbox time), while staying at half
 * the 2 MiB yamux window and far under libp2p's 4 MiB unread-buffer limit. Measured on the
 * two-peer bench: 32 x 64 KiB (the whole window) was slower than 16, the receiver lagging.
 */
export const DEFAULT_PIPELINE_DEPTH = 16

/**
 * A peer's pipeline holds what it sends us in 3 s at its measured rate (pipeline.ts): far
 * more than a round trip on any link we meet, so the link never idles, and on a slow peer
 * few enough blocks that faster peers are not kept from them.
 */
export const REQUEST_QUEUE_MS = 3_000

/**
 * Requests outstanding at a peer whatever its rate: two, so the next block is asked for
 * while one is in flight; a new peer starts there and grows as its rate shows.
 */
export const PIPELINE_MIN = 2

/**
 * Pieces handed to the transport per peer at once: 4 blocks (256 KiB at the default 64 KiB)
 * keep a fast link's send buffer fed, while under a 1 MB/s cap our own requests and haves
 * on the same stream wait behind at most those (~0.25 s), not behind the whole request
 * pipeline (16 blocks, 1 s).
 */
export const DEFAULT_UPLOADS_IN_FLIGHT = 4

/**
 * Endgame waits until at most 4 blocks are missing (a chunk's worth at the default 64 KiB
 * blocks): enough for the last blocks held by a slow peer to be fetched again from a fast
 * one, few enough that the duplicates (each one a whole block of someone's upload once it
 * started) stay a small share of the file. Blocks queued at slow peers move to fast ones
 * before that anyway (STEAL_RATE_RATIO).
 */
export const ENDGAME_BLOCKS = 4

/**
 * Blocks a peer may already have handed to its transport when it chokes us or we cancel:
 * its actor-wide upload budget is 2 pieces at modest rates (UPLOAD_BUDGET_MIN), so the two
 * oldest requests may still arrive; later ones were still waiting in its queue, which the
 * choke or cancel empties.
 */
export const IN_TRANSIT_BLOCKS = 2

/**
 * A peer takes over blocks queued at another (picker.ts `steal`) only when it sends to us
 * more than twice as fast: both rates are estimates, and moving a block between peers of
 * similar speed gains nothing and costs a cancel.
 */
export const STEAL_RATE_RATIO = 2

/** In endgame a missing block is asked of two peers at most: one spare copy races the slow one. */
export const ENDGAME_COPIES = 2

/** Until this many chunks are complete, pick at random rather than rarest: a newcomer gets something to trade fast. */
export const DEFAULT_RANDOM_FIRST_CHUNKS = 4

/**
 * Outstanding requests with no data for this long are handed to other peers (the peer is
 * "snubbed"): the floor of the deadline, which grows with the gap measured between that
 * peer's blocks (snub.ts), so only a peer unheard of for 30 s and several of its own gaps
 * counts as stalled.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/**
 * A peer snubs us after this many of its usual gaps between blocks: its upload share moves
 * as it unchokes and chokes others (one to five peers sharing it), so 4x absorbs a halving
 * of its rate twice over and still catches a peer that stopped.
 */
export const SNUB_GAP_MARGIN = 4

/** Weight of a new gap sample in the running gap: about the last four blocks decide it. */
export const SNUB_GAP_WEIGHT = 0.25

/**
 * A peer that has not answered our handshake within 30 s gives up its place in the swarm
 * (maxSwarmPeers): a peer whose own swarm is full ignores handshakes, and kept for good,
 * such half-open entries held 45 of a typical unfinished leecher's 60 places late in a
 * 300-leecher textbook run, leaving it a dozen neighbours, nearly all seeds, so its own
 * upload idled (unfinished leechers' utilisation fell to 0.2). An honest answer takes a round
 * trip plus its share of a 1 KiB/s uplink beside two pieces, a few seconds at most.
 */
export const HANDSHAKE_TIMEOUT_MS = 30_000

/** Keep-alive every 30 s: well under libp2p's 120 s stream inactivity timeout. */
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 30_000

/** Re-announce to trackers every 60 s (BitTorrent trackers ask for minutes; swarms on one machine need faster). */
export const DEFAULT_ANNOUNCE_INTERVAL_MS = 60_000

/** A tracker forgets a peer that has not re-announced for three intervals (one lost announce is forgiven). */
export const DEFAULT_TRACKER_TTL_MS = 180_000

/**
 * A swarm with half its places (maxSwarmPeers) held by peers that answered asks trackers for
 * no more: 30 neighbours give 4 + 1 upload slots and rarest-first plenty of choice, and
 * newcomers bring themselves in through their own announces. Asking for the places left
 * whenever any were free kept every announce of a 1,000-leecher textbook run at ~50 peers.
 */
export const ENOUGH_PEERS_SHARE = 0.5

/** Peers a tracker returns per announce (BitTorrent's numwant default is 50). */
export const DEFAULT_TRACKER_NUMWANT = 50

/** Peers a swarm keeps handshaken at most: enough choice for rarest-first, bounded memory. */
export const DEFAULT_MAX_SWARM_PEERS = 60

/** Chunks failing verification before a peer is banned from the swarm (each one also strikes it on the net). */
export const DEFAULT_BAN_AFTER_BAD_CHUNKS = 2

/** A super-seeding seed offers a peer at most this many chunks it has not yet passed on. */
export const SUPER_SEED_OFFERS_PER_PEER = 2

/**
 * Super-seeding offers are counted in chunks, but what keeps the seed's uplink busy is
 * blocks queued: an offer travels behind the pieces already on the wire, so with one block
 * per chunk two offers left the seed idle for a round trip after every second piece (a
 * 1-leecher textbook run at 16 KiB chunks used 64% of the seed's upload, 1.52x D_P2P). The
 * offers per peer therefore grow so that they cover at least 8 blocks: two chunks of four
 * blocks (64 KiB chunks, 16 KiB blocks, and the 256/64 KiB defaults) keep exactly
 * SUPER_SEED_OFFERS_PER_PEER; one-block chunks get eight.
 */
export const SUPER_SEED_OFFER_BLOCKS = 8

/** A chunk counts as passed on once this many neighbours have it (the first holder and one more). */
export const SUPER_SEED_SPREAD = 2

/**
 * A peer holding this many chunks from the seed that nobody else has gets no new offer
 * until it shares one: two keeps an honest peer busy while it uploads the first, and
 * starves a peer that never uploads.
 */
export const SUPER_SEED_UNSPREAD_LIMIT = 2

/** Deadline of a manifest fetch or tracker announce. */
export const DEFAULT_CONTROL_REQUEST_TIMEOUT_MS = 10_000

/**
 * A failed manifest fetch is retried after 1 s, doubling per failure up to
 * MANIFEST_RETRY_MAX_MS: a provider that was unreachable or did not have the manifest yet is
 * asked again soon, without hammering peers that keep failing.
 */
export const MANIFEST_RETRY_BASE_MS = 1_000

/**
 * Manifest fetches a download has out at once: one. Its first pick is a peer that proved it
 * holds the manifest (manifest-sources.ts), so one usually suffices, and a peer without it
 * answers in a round trip; two holders asked at once each send the whole manifest.
 */
export const MANIFEST_FETCHES_AT_ONCE = 1

/**
 * Manifests a peer streams at once; further asks are answered MANIFEST_BUSY at once.
 * Served side by side, a 10 KiB/s textbook seed's 100 manifests (7 KB each) all finished
 * together after 70 s, past the 60 s request deadline, so each newcomer asked again and the
 * seed sent every manifest twice; two at a time the first newcomers have theirs in a second
 * and pass it on. Two rather than one: the next stream is under way while the last one's
 * end-of-stream acknowledgement is still on its way back. Turned away rather than queued: a
 * newcomer waiting in a 1 KiB/s holder's line (7 s per manifest) asks nobody else meanwhile
 * (40 newcomers at one seed: the last had it after 121 s with a line of 8, 48 s with none).
 */
export const MANIFEST_UPLOADS_AT_ONCE = 2

/**
 * How the answer to a `manifest-get` turned away for MANIFEST_UPLOADS_AT_ONCE begins: the
 * asker then knows the peer holds the manifest and asks again after the base retry delay,
 * not a doubled one (doubling left newcomers waiting up to 30 s while holders had room).
 */
export const MANIFEST_BUSY = 'busy'

/** Longest wait between manifest retries: a download stuck in "finding" recovers within 30 s of a provider appearing. */
export const MANIFEST_RETRY_MAX_MS = 30_000

/** Progress events at most this often (ms on the actor clock) besides one per completed chunk batch. */
export const PROGRESS_INTERVAL_MS = 500

/**
 * Chunks a peer asked for that are read from disk ahead of their turn: two, so the next
 * chunk is in memory when the current one is sent (a 256 KiB read takes ~0.1-1 ms, about
 * what sending 256 KiB takes on a fast link), well inside the default upload cache.
 */
export const READ_AHEAD_CHUNKS = 2

/** Housekeeping tick: snub checks, keep-alives, progress; 1 s is cheap and fine-grained enough. */
export const TICK_INTERVAL_MS = 1_000

/**
 * Upload queue target: pieces handed to the transport should drain in about 50 ms at the
 * current upload rate, so a `have` or `request` we send waits behind at most that much.
 */
export const UPLOAD_QUEUE_TARGET_MS = 50

/** At least two pieces in flight: one being written while the next is prepared. */
export const UPLOAD_BUDGET_MIN = 2

/** The upload rate that sizes the budget is averaged over 2 s: it follows a cap change quickly. */
export const UPLOAD_RATE_WINDOW_MS = 2_000
