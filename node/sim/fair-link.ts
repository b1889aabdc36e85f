import type { Clock, Timer } from '../ports/clock.ts'

/**
 * Bytes a link serves from one transfer before it turns to the next: one TCP segment
 * (1500-byte MTU less IP and TCP headers). Concurrent TCP connections through one
 * bottleneck interleave at about packet granularity, so a 20-byte request never waits
 * behind a whole 64 KiB piece to another peer. Serving whole frames instead kept a slow
 * uploader's requests to its own seed seconds apart and starved the seed (the textbook
 * example at N = 2 ran 4x the bound).
 */
export const FAIR_LINK_QUANTUM_BYTES = 1460

/** One frame in flight through a simulated link direction. */
export interface QueuedFrame {
  from: string
  to: string
  protocol: string
  bytes: Uint8Array
  /** Link epoch at send time: a frame never outlives the connection that carried it. */
  epoch: number
  /**
   * Called once the uplink starts serving the frame (no argument) or drops it unsent (the
   * error): what `send` awaits, as a libp2p send waits for the rate-capped transport.
   */
  sent?: (err?: Error) => void
}

interface Waiting { frame: QueuedFrame, left: number }

/**
 * A frame at the head of its transfer's queue has been taken by the transport: its sender
 * may queue the next one behind it (a socket send buffer of one frame), so a sender that
 * awaits each send still keeps the link busy and its fair share.
 */
function started (f: QueuedFrame): void {
  const sent = f.sent
  f.sent = undefined
  sent?.()
}

/**
 * One direction of a peer's access link (its uplink or its downlink) with a capacity in
 * bytes/s. Frames wait in one FIFO per remote peer and the link serves those FIFOs
 * round-robin, FAIR_LINK_QUANTUM_BYTES at a time at full capacity: fair queueing, which
 * shares the capacity equally among the peer's concurrent transfers (processor sharing at
 * segment granularity) and never idles while any transfer has data waiting
 * (work-conserving, which is what lets a swarm reach the D_P2P bound). Per-remote FIFOs
 * keep frame order per (peer, protocol), as a stream does.
 *
 * While one remote alone has data its frame is served whole in one timer; when a second
 * remote's data arrives the frame is cut at the bytes served so far and the turns start
 * (exactly what segment-by-segment service would give, with no timer per segment while
 * nobody competes).
 *
 * Cost: O(1) timers per frame alone, one per quantum under contention, and O(active
 * remotes) per queue change: nothing scales with the swarm size.
 */
export class FairLink {
  private readonly clock: Clock
  private readonly done: (f: QueuedFrame) => void
  private readonly queues = new Map<string, Waiting[]>()
  /** Remotes with frames waiting, in service order. */
  private ring: string[] = []
  private next = 0
  private busy: Timer | undefined
  /** What is being served now: whose frame, how many bytes, since when. */
  private serving: { remote: string, w: Waiting, bytes: number, since: number } | undefined
  bytesPerSecond: number
  /** Bytes fully served, for utilisation figures. */
  served = 0

  constructor (clock: Clock, bytesPerSecond: number, done: (f: QueuedFrame) => void) {
    this.clock = clock
    this.bytesPerSecond = bytesPerSecond
    this.done = done
  }

  /** Frames waiting (including the one being served). */
  get queued (): number {
    let n = 0
    for (const q of this.queues.values()) n += q.length
    return n
  }

  enqueue (remote: string, f: QueuedFrame): void {
    let q = this.queues.get(remote)
    if (q === undefined) {
      q = []
      this.queues.set(remote, q)
      this.ring.push(remote)
    }
    q.push({ frame: f, left: f.bytes.length })
    if (q.length === 1) started(f)
    if (this.busy === undefined) { this.serve(); return }
    // A frame served whole for want of competition is cut now that there is some.
    const s = this.serving
    if (s !== undefined && s.remote !== remote && s.bytes > FAIR_LINK_QUANTUM_BYTES) {
      this.busy.cancel()
      this.busy = undefined
      this.serving = undefined
      s.w.left = Math.max(0, s.w.left - ((this.clock.now() - s.since) * this.bytesPerSecond) / 1000)
      this.serve()
    }
  }

  /** Forget frames waiting for `remote` (its connection closed); their senders learn why. */
  drop (remote: string, why?: Error): void {
    const q = this.queues.get(remote)
    if (q === undefined) return
    this.queues.delete(remote)
    for (const w of q) w.frame.sent?.(why)
    const i = this.ring.indexOf(remote)
    if (i >= 0) {
      this.ring.splice(i, 1)
      if (i < this.next) this.next--
    }
    if (this.serving?.remote === remote) {
      this.busy?.cancel()
      this.busy = undefined
      this.serving = undefined
      this.serve()
    }
  }

  /** Forget everything (the peer crashed). */
  clear (why?: Error): void {
    for (const q of this.queues.values()) for (const w of q) w.frame.sent?.(why)
    this.queues.clear()
    this.ring = []
    this.next = 0
    this.busy?.cancel()
    this.busy = undefined
    this.serving = undefined
  }

  private serve (): void {
    if (this.ring.length === 0) return
    if (this.next >= this.ring.length) this.next = 0
    const remote = this.ring[this.next]
    const q = this.queues.get(remote) as Waiting[]
    const w = q[0]
    const bytes = this.ring.length > 1 ? Math.min(w.left, FAIR_LINK_QUANTUM_BYTES) : w.left
    this.serving = { remote, w, bytes, since: this.clock.now() }
    this.busy = this.clock.setTimer((bytes * 1000) / this.bytesPerSecond, () => {
      this.busy = undefined
      this.serving = undefined
      w.left -= bytes
      let finished = false
      if (w.left <= 0.5) {
        q.shift()
        finished = true
        if (q.length > 0) started(q[0].frame)
        if (q.length === 0) {
          this.queues.delete(remote)
          const i = this.ring.indexOf(remote)
          this.ring.splice(i, 1)
          if (i < this.next) this.next--
        } else {
          this.next++
        }
      } else {
        this.next++
      }
      if (finished) {
        this.served += w.frame.bytes.length
        this.done(w.frame)
      }
      if (this.busy === undefined) this.serve()
    })
  }
}
