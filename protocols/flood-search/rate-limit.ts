/**
 * A token bucket per neighbour, on the injected clock: `rate` tokens per second up to
 * `burst`. Pure: `take` returns the next bucket and whether one token was granted.
 */
export interface Bucket {
  tokens: number
  at: number
}

export interface RateLimit {
  ratePerSec: number
  burst: number
}

export function fullBucket (limit: RateLimit, now: number): Bucket {
  return { tokens: limit.burst, at: now }
}

export function take (b: Bucket, limit: RateLimit, now: number): { bucket: Bucket, ok: boolean } {
  const elapsed = Math.max(0, now - b.at) / 1000
  const tokens = Math.min(limit.burst, b.tokens + elapsed * limit.ratePerSec)
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, ok: true }
  return { bucket: { tokens, at: now }, ok: false }
}

/** Buckets keyed by peer; a peer's bucket starts full and is forgotten when it leaves. */
export class RateLimiter<K> {
  private readonly buckets = new Map<K, Bucket>()
  readonly limit: RateLimit

  constructor (limit: RateLimit) {
    this.limit = limit
  }

  allow (key: K, now: number): boolean {
    const r = take(this.buckets.get(key) ?? fullBucket(this.limit, now), this.limit, now)
    this.buckets.set(key, r.bucket)
    return r.ok
  }

  forget (key: K): void {
    this.buckets.delete(key)
  }
}
