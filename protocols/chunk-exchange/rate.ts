/**
 * Transfer rate over a sliding window, on whatever clock the caller reads (the actor's
 * injected clock). Bytes land in one-second buckets, so memory is O(window), not
 * O(blocks), and `rate` is bytes/s over the window, or over the time since the first
 * byte when that is shorter (a newcomer's rate is not diluted by time it was not there).
 */
const BUCKET_MS = 1000

export class RateMeter {
  /**
   * Plain arrays, not Float64Arrays (the same doubles), made on the first byte: two meters
   * per swarm peer, most of which never see one, and a typed array past 64 bytes is an
   * off-heap buffer the collector tracks one by one. A 1,000-peer swarm (every peer knows
   * every other) held four million of them.
   */
  private buckets: number[] = []
  private stamps: number[] = []
  private readonly slots: number
  private readonly windowMs: number
  private first = -1
  total = 0

  constructor (windowMs: number) {
    this.windowMs = windowMs
    this.slots = Math.max(1, Math.ceil(windowMs / BUCKET_MS))
  }

  add (bytes: number, now: number): void {
    if (this.buckets.length === 0) {
      this.buckets = new Array<number>(this.slots).fill(0)
      this.stamps = new Array<number>(this.slots).fill(-1)
    }
    const slot = Math.floor(now / BUCKET_MS)
    const i = slot % this.buckets.length
    if (this.stamps[i] !== slot) { this.stamps[i] = slot; this.buckets[i] = 0 }
    this.buckets[i] += bytes
    this.total += bytes
    if (this.first < 0) this.first = now
  }

  /** Bytes per second. */
  rate (now: number): number {
    if (this.first < 0) return 0
    const slot = Math.floor(now / BUCKET_MS)
    const oldest = slot - this.buckets.length + 1
    let sum = 0
    for (let i = 0; i < this.buckets.length; i++) {
      const s = this.stamps[i]
      if (s >= oldest && s <= slot) sum += this.buckets[i]
    }
    const span = Math.min(this.windowMs, Math.max(BUCKET_MS, now - this.first))
    return sum * 1000 / span
  }
}
