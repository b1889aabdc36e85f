/** A token bucket's state: tokens may go negative (debt) so a frame larger than the depth still passes. */
export interface Bucket {
  tokens: number
  at: number
}

/**
 * Take `n` bytes from a bucket refilled at `rate` bytes/s up to `depth`. Pure: returns
 * the next state and how long the caller must wait before using the bytes. Debt carries
 * over, so concurrent takers queue behind each other fairly.
 */
export function takeTokens (b: Bucket, now: number, n: number, rate: number, depth: number): { bucket: Bucket, waitMs: number } {
  const refilled = Math.min(depth, b.tokens + (Math.max(0, now - b.at) * rate) / 1000)
  const tokens = refilled - n
  return { bucket: { tokens, at: now }, waitMs: tokens >= 0 ? 0 : (-tokens / rate) * 1000 }
}

export function fullBucket (now: number, depth: number): Bucket {
  return { tokens: depth, at: now }
}
