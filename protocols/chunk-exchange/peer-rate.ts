import { RATE_MIN_BLOCKS } from './constants.ts'
import { RateMeter } from './rate.ts'

/**
 * A peer's transfer rate for the choker: bytes/s over the rate window, or, when fewer than
 * RATE_MIN_BLOCKS blocks fell in that window, over the span of the last RATE_MIN_BLOCKS
 * blocks (up to now). A 20 s window means nothing when one block takes 80 s to cross a
 * 1 KiB/s uplink shared by five peers: every peer's rate read 0 or 819 B/s depending on
 * whether a block happened to land in the window, the top 4 was a coin toss at each 10 s
 * rechoke, and each choke dropped blocks already under way (8,000 dropped requests in an
 * 8-leecher textbook run). Over the last few blocks the same peers read a steady ~200 B/s.
 * On a fast link the window holds hundreds of blocks and this is the plain window rate.
 */
export class PeerRate {
  private readonly meter: RateMeter
  private readonly windowMs: number
  /** Arrival time and size of the last RATE_MIN_BLOCKS blocks, oldest first. */
  private readonly times: number[] = []
  private readonly sizes: number[] = []

  constructor (windowMs: number) {
    this.windowMs = windowMs
    this.meter = new RateMeter(windowMs)
  }

  get total (): number {
    return this.meter.total
  }

  add (bytes: number, now: number): void {
    this.meter.add(bytes, now)
    this.times.push(now)
    this.sizes.push(bytes)
    if (this.times.length > RATE_MIN_BLOCKS) { this.times.shift(); this.sizes.shift() }
  }

  /** Bytes per second. */
  rate (now: number): number {
    const n = this.times.length
    if (n === 0 || (n === RATE_MIN_BLOCKS && now - this.times[0] <= this.windowMs)) return this.meter.rate(now)
    // Fewer blocks than that in the window: their bytes over the time since the oldest of
    // them (or the window, if longer), so a block's weight fades instead of dropping out.
    let bytes = 0
    for (const b of this.sizes) bytes += b
    return bytes * 1000 / Math.max(this.windowMs, now - this.times[0])
  }
}
