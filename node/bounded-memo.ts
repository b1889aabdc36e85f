/**
 * A memo of derived values (a parse, a hash, an interned copy) that starts over when full:
 * forgetting costs only recomputing, a process that meets few keys never fills it, and a
 * hit costs one map lookup (an LRU would pay a delete and a set per hit).
 */
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>()
  private readonly cap: number

  constructor (cap: number) {
    this.cap = cap
  }

  get (key: K): V | undefined {
    return this.map.get(key)
  }

  /** Remember `value` for `key` (clearing everything first when full); returns it. */
  set (key: K, value: V): V {
    if (this.map.size >= this.cap) this.map.clear()
    this.map.set(key, value)
    return value
  }
}
