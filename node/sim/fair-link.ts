import type { Clock, Timer } from '../ports/clock.ts'

/**
 * A frame counts as fully served once less than this many bytes of it are left: the
 * remainders are floats (capacity shares of elapsed time), and half a byte is below
 * anything a link could carry.
 */
export const FAIR_LINK_DONE_EPSILON_BYTES = 0.5

/**
 * A frame that would take at most this long at the link's current share, and has nothing
 * queued ahead of it to its remote, skips the queue: it is handed on at once and its bytes
 * are charged to the link as debt (what the link serves next pays it off first), so the
 * capacity stays exact and only the frame's own sub-millisecond serialisation is skipped.
 * In a 1,000-peer swarm nine frames in ten were `have`s of a dozen bytes; each cost two
 * clock events (uplink, downlink) besides its latency. At the textbook's 1 KiB/s no frame
 * qualifies (a 10-byte frame takes 10 ms there).
 */
export const FAIR_LINK_BYPASS_MS = 1

/**
 * How a link orders the frames it carries. `fair`: processor sharing among remotes (TCP
 * connections through one bottleneck). `fifo`: one queue in send order for every remote,
 * as the libp2p host's rate limiter does (a token bucket whose debt makes each frame wait
 * for every frame reserved before it, to any peer).
 */
export type LinkDiscipline = 'fair' | 'fifo'

/** The queue key of every frame on a FIFO link. */
const FIFO_KEY = ''

/** One frame in flight through a simulated link direction. */
export interface QueuedFrame {
  from: string
  to: string
  protocol: string
  bytes: Uint8Array
  /** Link epoch at send time: a frame never outlives the connection that carried it. */
  epoch: number
  /**
   * Called once the link took the frame into its send buffer (no argument, see
   * FairLink.sendBufferBytes) or dropped it unsent (the error): what `send` awaits, as a
   * libp2p send waits for the rate-capped transport.
   */
  sent?: (err?: Error) => void
}

/** `taken`: the frame's sender was told it left (its bytes count in the send buffer until served). */
interface Waiting { frame: QueuedFrame, left: number, taken: boolean }

/** Tell a frame's sender the transport took it (once). */
function settle (f: QueuedFrame): void {
  const sent = f.sent
  f.sent = undefined
  sent?.()
}

/**
 * One direction of a peer's access link (its uplink or its downlink) with a capacity in
 * bytes/s. Frames wait in one FIFO per remote peer, and the link serves the heads of all
 * non-empty FIFOs at once, each at capacity / (number of them): processor sharing, the
 * fluid limit of concurrent TCP connections through one bottleneck interleaving segment by
 * segment. It shares capacity equally among the peer's concurrent transfers, never idles
 * while any has data waiting (work-conserving, which is what lets a swarm reach the D_P2P
 * bound), and a 20-byte request never waits behind a whole 64 KiB piece to another peer
 * (serving whole frames in turn starved a slow uploader's requests to its seed: the
 * textbook example at N = 2 ran 4x the bound). Per-remote FIFOs keep frame order per
 * (peer, protocol), as a stream does.
 *
 * Cost: one clock event per frame served (the earliest head to finish), re-armed only
 * when the set of competing remotes changes, and O(active remotes) work per change.
 * Serving segment by segment instead (one event per 1460-byte round-robin turn) made
 * the link the largest source of events in a 1,000-peer swarm.
 */
export class FairLink {
  private readonly clock: Clock
  private readonly done: (f: QueuedFrame) => void
  /** Remotes with frames waiting, in the order they became active (deterministic iteration). */
  private readonly queues = new Map<string, Waiting[]>()
  private timer: Timer | undefined
  /** When the heads' `left` were last brought up to date. */
  private updatedAt = 0
  /** Bytes of frames that skipped the queue, not yet paid for with link time. */
  private debt = 0
  bytesPerSecond: number
  /**
   * The send buffer: how many bytes of frames whose senders were told they left may still
   * be unserved. A frame in service (the head of its remote's queue) is taken while it fits
   * beside the others taken, and otherwise once served; a frame behind another to the same
   * remote waits its turn, as a stream's writes do. Infinite (the default): every head is
   * taken as it starts. The simulator sets a bounded one on uplinks (SimHost), so a sender
   * pacing itself by its sends is held back as the bytes drain, as on libp2p.
   */
  sendBufferBytes = Number.POSITIVE_INFINITY
  /** Bytes of taken frames not yet fully served. */
  private buffered = 0
  /** Bytes fully served, for utilisation figures. */
  served = 0

  private readonly fifo: boolean

  constructor (clock: Clock, bytesPerSecond: number, done: (f: QueuedFrame) => void, discipline: LinkDiscipline = 'fair') {
    this.clock = clock
    this.bytesPerSecond = bytesPerSecond
    this.done = done
    this.fifo = discipline === 'fifo'
  }

  /** Frames waiting (including those being served). */
  get queued (): number {
    let n = 0
    for (const q of this.queues.values()) n += q.length
    return n
  }

  /** Bytes of frames taken (their senders told) and not yet served: at most `sendBufferBytes`, or one frame. */
  get bufferedBytes (): number {
    return this.buffered
  }

  enqueue (peer: string, f: QueuedFrame): void {
    const remote = this.fifo ? FIFO_KEY : peer
    const q = this.queues.get(remote)
    if (q !== undefined) {
      // Behind a head already in service: the shares do not change, nothing to re-arm.
      q.push({ frame: f, left: f.bytes.length, taken: false })
      return
    }
    this.catchUp()
    if ((f.bytes.length * (this.queues.size + 1) * 1000) / this.bytesPerSecond <= FAIR_LINK_BYPASS_MS) {
      // An armed timer now fires a little early, finds its head unfinished and re-arms.
      this.debt += f.bytes.length
      this.served += f.bytes.length
      settle(f)
      this.done(f)
      return
    }
    const w = { frame: f, left: f.bytes.length, taken: false }
    this.queues.set(remote, [w])
    this.take(w)
    this.arm()
  }

  /** Tell a frame in service its sender that it left, if it fits in the send buffer beside those taken. */
  private take (w: Waiting): void {
    if (w.taken || this.buffered + w.frame.bytes.length > this.sendBufferBytes) return
    w.taken = true
    this.buffered += w.frame.bytes.length
    settle(w.frame)
  }

  /** Room freed in the send buffer: heads not yet taken are, in queue order, while they fit. */
  private takeHeads (): void {
    if (this.buffered >= this.sendBufferBytes) return
    for (const q of this.queues.values()) this.take(q[0])
  }

  /** A frame leaves the link (served or dropped): its bytes leave the send buffer. */
  private release (w: Waiting): void {
    if (w.taken) this.buffered -= w.frame.bytes.length
  }

  /**
   * Forget frames waiting for `remote` (its connection closed); their senders learn why.
   * `why` is built only when there is someone to tell: an error captures a stack, and
   * most closing connections have nothing queued.
   */
  drop (remote: string, why?: () => Error): void {
    if (this.fifo) { this.dropFromFifo(remote, why); return }
    const q = this.queues.get(remote)
    if (q === undefined) return
    this.catchUp()
    this.queues.delete(remote)
    const err = why?.()
    for (const w of q) { this.release(w); w.frame.sent?.(err) }
    this.takeHeads()
    this.arm()
  }

  /** On a FIFO link the frames to or from `remote` leave the one queue; the rest keep their order. */
  private dropFromFifo (remote: string, why?: () => Error): void {
    const q = this.queues.get(FIFO_KEY)
    if (q === undefined) return
    const gone = q.filter(w => w.frame.to === remote || w.frame.from === remote)
    if (gone.length === 0) return
    this.catchUp()
    const kept = q.filter(w => w.frame.to !== remote && w.frame.from !== remote)
    const headChanged = kept[0] !== q[0]
    if (kept.length === 0) this.queues.delete(FIFO_KEY)
    else this.queues.set(FIFO_KEY, kept)
    const err = why?.()
    for (const w of gone) { this.release(w); w.frame.sent?.(err) }
    if (headChanged && kept.length > 0) this.takeHeads()
    this.arm()
  }

  /** Forget everything (the peer crashed). */
  clear (why?: Error): void {
    for (const q of this.queues.values()) for (const w of q) w.frame.sent?.(why)
    this.queues.clear()
    this.debt = 0
    this.buffered = 0
    this.timer?.cancel()
    this.timer = undefined
  }

  /** Spend the link time since the last update: on the debt first, then every head its share. */
  private catchUp (): void {
    const now = this.clock.now()
    let budget = ((now - this.updatedAt) * this.bytesPerSecond) / 1000
    this.updatedAt = now
    if (budget <= 0) return
    if (this.debt > 0) {
      const pay = Math.min(this.debt, budget)
      this.debt -= pay
      budget -= pay
    }
    const k = this.queues.size
    if (k === 0 || budget <= 0) return
    const share = budget / k
    for (const q of this.queues.values()) q[0].left -= share
  }

  /** (Re-)arm the one timer for the head that finishes first at the current shares. */
  private arm (): void {
    this.timer?.cancel()
    this.timer = undefined
    const k = this.queues.size
    if (k === 0) return
    let least = Number.POSITIVE_INFINITY
    for (const q of this.queues.values()) if (q[0].left < least) least = q[0].left
    const delayMs = ((this.debt + Math.max(0, least) * k) * 1000) / this.bytesPerSecond
    this.timer = this.clock.setTimer(delayMs, this.fire)
  }

  private readonly fire = (): void => {
    this.timer = undefined
    this.catchUp()
    const finished: QueuedFrame[] = []
    for (const [remote, q] of this.queues) {
      if (q[0].left > FAIR_LINK_DONE_EPSILON_BYTES) continue
      const w = q[0]
      // Served whole before it fit in the buffer (a frame larger than it): its bytes are on the wire now.
      if (w.taken) this.release(w)
      else settle(w.frame)
      finished.push(w.frame)
      q.shift()
      if (q.length === 0) this.queues.delete(remote)
    }
    this.takeHeads()
    this.arm()
    for (const f of finished) {
      this.served += f.bytes.length
      this.done(f)
    }
  }
}
