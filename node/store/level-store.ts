import { Level } from 'level'
import type { RangeOptions, Store, StoreOp } from '../ports/store.ts'

/** The subset of abstract-level that a root database and its sublevels share. */
interface Db {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array, opts?: { sync?: boolean }): Promise<void>
  del(key: string): Promise<void>
  batch(ops: Array<{ type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }>): Promise<void>
  iterator(opts: Record<string, unknown>): AsyncIterable<[string, Uint8Array]>
  sublevel(name: string, opts: typeof ENCODING): Db
}

const ENCODING = { keyEncoding: 'utf8', valueEncoding: 'view' } as const

/**
 * The store port on LevelDB: one database per peer (`<dataDir>/store`), one sublevel per
 * actor. Writes go through LevelDB's log, so they survive a crash of the process;
 * `putDurable` additionally fsyncs, for the few values (identity) a power cut must not lose.
 */
export class LevelStore implements Store {
  private readonly db: Db

  constructor (db: Db) {
    this.db = db
  }

  /** Open (creating if needed) the LevelDB at `path`. */
  static async open (path: string): Promise<RootLevelStore> {
    const db = new Level<string, Uint8Array>(path, ENCODING)
    await db.open()
    return new RootLevelStore(db)
  }

  async get (key: string): Promise<Uint8Array | undefined> {
    return (await this.db.get(key)) ?? undefined
  }

  async put (key: string, value: Uint8Array): Promise<void> {
    await this.db.put(key, value)
  }

  /** A put that is on disk (fsync) when it resolves. */
  async putDurable (key: string, value: Uint8Array): Promise<void> {
    await this.db.put(key, value, { sync: true })
  }

  async del (key: string): Promise<void> {
    await this.db.del(key)
  }

  async batch (ops: StoreOp[]): Promise<void> {
    if (ops.length === 0) return
    await this.db.batch(ops.map(op => op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }))
  }

  async * entries (opts: RangeOptions = {}): AsyncIterable<[string, Uint8Array]> {
    yield * this.db.iterator(levelRange(opts))
  }

  sublevel (name: string): Store {
    if (name.includes('!')) throw new RangeError(`sublevel name must not contain '!': ${name}`)
    return new LevelStore(this.db.sublevel(name, ENCODING))
  }
}

/** The root store: owns the database handle, so it is the one to close. */
export class RootLevelStore extends LevelStore {
  readonly level: Level<string, Uint8Array>

  constructor (db: Level<string, Uint8Array>) {
    super(db as unknown as Db)
    this.level = db
  }

  /** Flush and close; idempotent. */
  async close (): Promise<void> {
    if (this.level.status === 'closed') return
    await this.level.close()
  }
}

/** Translate our range options (prefix, gte, lt) into one LevelDB range. */
export function levelRange (opts: RangeOptions): { gte?: string, lt?: string, limit?: number, reverse?: boolean } {
  let gte = opts.gte
  let lt = opts.lt
  if (opts.prefix !== undefined && opts.prefix !== '') {
    const end = opts.prefix + '\uffff'
    if (gte === undefined || gte < opts.prefix) gte = opts.prefix
    if (lt === undefined || lt > end) lt = end
  }
  return {
    ...(gte !== undefined ? { gte } : {}),
    ...(lt !== undefined ? { lt } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.reverse === true ? { reverse: true } : {})
  }
}
