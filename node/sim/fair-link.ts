import type { Clock, Timer } from '../ports/clock.ts'

/** One frame in flight through a simulated link direction. */
export interface QueuedFrame {
  from: string
  to: string
  protocol: string
  bytes: Uint8Array
  /** Link epoch at send time: a frame never outlives the connection that carried it. */
  epoch: number
}

/**
 * One direction of a peer's access link (its uplink or its downlink) with a capacity in
 * bytes/s. Frames wait in one FIFO per remote peer and the link serves those FIFOs
 * round-robin, one frame at a time at full capacity: fair queueing, which shares the
 * capacity equally among the peer's concurrent transfers (processor sharing at frame
 * granularity) and never idles while any transfer has data waiting (work-conserving,
 * which is what lets a swarm reach the D_P2P bound). Per-remote FIFOs keep frame order
 * per (peer, protocol), as a stream does.
 *
 * Cost: O(1) timers per frame and O(active remotes) per queue change: nothing scales
 * with the swarm size.
 */
export class FairLink {
  private readonly clock: Clock
  private readonly done: (f: QueuedFrame) => void
  private readonly queues = new Map<string, QueuedFrame[]>()
  /** Remotes with frames waiting, in service order. */
  private ring: string[] = []
  private next = 0
  private busy: Timer | undefined
  bytesPerSecond: number
  /** Bytes fully served, for utilisation figures. */
  served = 0

  constructor (clock: Clock, bytesPerSecond: number, done: (f: QueuedFrame) => void) {
    this.clock = clock
    this.bytesPerSecond = bytesPerSecond
    this.done = done
  }

  /** Frames waiting (not counting the one being served). */
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
    q.push(f)
    if (this.busy === undefined) this.serve()
  }

  /** Forget frames waiting for `remote` (its connection closed). */
  drop (remote: string): void {
    if (!this.queues.delete(remote)) return
    const i = this.ring.indexOf(remote)
    if (i >= 0) {
      this.ring.splice(i, 1)
      if (i < this.next) this.next--
    }
  }

  /** Forget everything (the peer crashed). */
  clear (): void {
    this.queues.clear()
    this.ring = []
    this.next = 0
    this.busy?.cancel()
    this.busy = undefined
  }

  private serve (): void {
    if (this.ring.length === 0) { this.busy = undefined; return }
    if (this.next >= this.ring.length) this.next = 0
    const remote = this.ring[this.next]
    const q = this.queues.get(remote) as QueuedFrame[]
    const f = q.shift() as QueuedFrame
    if (q.length === 0) {
      this.queues.delete(remote)
      this.ring.splice(this.next, 1)
    } else {
      this.next++
    }
    const ms = (f.bytes.length * 1000) / this.bytesPerSecond
    this.busy = this.clock.setTimer(ms, () => {
      this.served += f.bytes.length
      this.busy = undefined
      this.done(f)
      if (this.busy === undefined) this.serve()
    })
  }
}
