import type { Store } from '../../node/ports/store.ts'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import { hashId, type RingId, type RingSpace } from './ids.ts'
import type { WireRecord } from './messages.ts'

/**
 * The key-value pairs this peer holds (as owner or replica), persisted in its store so a
 * restarted peer comes back with them. Values stay on disk; memory holds only an index
 * of key -> (ring id, version), which is what ownership and repair decisions need.
 *
 * Stored value layout: varint ver, raw value bytes.
 */
export interface IndexEntry {
  readonly id: RingId
  readonly ver: number
}

export class RecordStore {
  private readonly store: Store
  private readonly space: RingSpace
  readonly index = new Map<string, IndexEntry>()

  constructor (store: Store, space: RingSpace) {
    this.store = store
    this.space = space
  }

  async load (): Promise<void> {
    this.index.clear()
    for await (const [key, raw] of this.store.entries()) {
      const r = new ByteReader(raw, 'stored record')
      this.index.set(key, { id: hashId(this.space, key), ver: r.varint('ver') })
    }
  }

  version (key: string): number {
    return this.index.get(key)?.ver ?? 0
  }

  async read (key: string): Promise<WireRecord | undefined> {
    if (!this.index.has(key)) return undefined
    const raw = await this.store.get(key)
    if (raw === undefined) return undefined
    const r = new ByteReader(raw, 'stored record')
    const ver = r.varint('ver')
    return { key, ver, value: r.raw(r.remaining, 'value').slice() }
  }

  /** Drop our copy of `key` if it is still at version `ver` (a newer write since the decision keeps it). */
  async dropIfAt (key: string, ver: number): Promise<boolean> {
    if (this.version(key) !== ver) return false
    this.index.delete(key)
    await this.store.del(key)
    return true
  }

  /** Keep `rec` if it is newer than what we hold; true when it was written. */
  async write (rec: WireRecord): Promise<boolean> {
    if (rec.ver <= this.version(rec.key)) return false
    await this.store.put(rec.key, new ByteWriter(rec.value.length + 8).varint(rec.ver).raw(rec.value).finish())
    this.index.set(rec.key, { id: hashId(this.space, rec.key), ver: rec.ver })
    return true
  }
}
