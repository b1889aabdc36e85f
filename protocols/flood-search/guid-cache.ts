import type { Guid } from './guid.ts'

/**
 * GUIDs seen recently, each with a value (the reverse-path entry), bounded in size and
 * expiring on the injected clock (callers pass `now`). A Map keeps insertion order, which
 * is age order because entries are never re-inserted: eviction and expiry both pop from
 * the front, O(1) amortised.
 */
export class GuidCache<V> {
  private readonly entries = new Map<Guid, { at: number, value: V }>()
  readonly capacity: number
  readonly expiryMs: number
  /** Entries pushed out by the size bound before they expired (a sign the cache is too small). */
  evicted = 0

  constructor (capacity: number, expiryMs: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`guid cache capacity must be a positive integer, got ${capacity}`)
    if (!(expiryMs > 0)) throw new RangeError(`guid cache expiry must be positive, got ${expiryMs}`)
    this.capacity = capacity
    this.expiryMs = expiryMs
  }

  get size (): number {
    return this.entries.size
  }

  /** The live value for `guid`, or undefined when unknown or expired. */
  get (guid: Guid, now: number): V | undefined {
    const e = this.entries.get(guid)
    if (e === undefined) return undefined
    if (now - e.at >= this.expiryMs) {
      this.entries.delete(guid)
      return undefined
    }
    return e.value
  }

  has (guid: Guid, now: number): boolean {
    return this.get(guid, now) !== undefined
  }

  /**
   * Remember `guid` unless already known. Returns false for a live duplicate (the
   * existing entry is kept: the first path a descriptor came by is the reverse path).
   */
  add (guid: Guid, value: V, now: number): boolean {
    this.prune(now)
    if (this.get(guid, now) !== undefined) return false
    this.entries.set(guid, { at: now, value })
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as Guid
      this.entries.delete(oldest)
      this.evicted++
    }
    return true
  }

  delete (guid: Guid): void {
    this.entries.delete(guid)
  }

  /** Drop expired entries from the front (oldest first). */
  prune (now: number): void {
    for (const [g, e] of this.entries) {
      if (now - e.at < this.expiryMs) break
      this.entries.delete(g)
    }
  }
}
