import type { RangeOptions, Store, StoreOp } from './store.ts'

/** A Store on a plain Map, for the simulator and tests. Keys iterate in sorted order. */
export class MemoryStore implements Store {
  private readonly data: Map<string, Uint8Array>
  private readonly prefix: string

  constructor (data: Map<string, Uint8Array> = new Map(), prefix = '') {
    this.data = data
    this.prefix = prefix
  }

  async get (key: string): Promise<Uint8Array | undefined> {
    return this.data.get(this.prefix + key)
  }

  async put (key: string, value: Uint8Array): Promise<void> {
    this.data.set(this.prefix + key, value)
  }

  async del (key: string): Promise<void> {
    this.data.delete(this.prefix + key)
  }

  async batch (ops: StoreOp[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') this.data.set(this.prefix + op.key, op.value)
      else this.data.delete(this.prefix + op.key)
    }
  }

  async * entries (opts: RangeOptions = {}): AsyncIterable<[string, Uint8Array]> {
    const own = [...this.data.keys()]
      .filter(k => k.startsWith(this.prefix))
      .map(k => k.slice(this.prefix.length))
      .filter(k => inRange(k, opts))
      .sort()
    if (opts.reverse === true) own.reverse()
    const keys = opts.limit === undefined ? own : own.slice(0, opts.limit)
    for (const k of keys) {
      const v = this.data.get(this.prefix + k)
      if (v !== undefined) yield [k, v]
    }
  }

  sublevel (name: string): Store {
    return new MemoryStore(this.data, `${this.prefix}!${name}!`)
  }

  /** Bytes held under this key space (keys + values), for memory figures. */
  size (): number {
    let n = 0
    for (const [k, v] of this.data) if (k.startsWith(this.prefix)) n += k.length + v.byteLength
    return n
  }
}

export function inRange (k: string, opts: RangeOptions): boolean {
  if (opts.prefix !== undefined && !k.startsWith(opts.prefix)) return false
  if (opts.gte !== undefined && k < opts.gte) return false
  if (opts.lt !== undefined && k >= opts.lt) return false
  return true
}
