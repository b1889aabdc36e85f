/**
 * The store port: an ordered key-value space owned by one actor (a LevelDB sublevel on a
 * real peer, a sorted in-memory map in the simulator). Keys are strings; values bytes.
 */
export type StoreOp =
  | { type: 'put', key: string, value: Uint8Array }
  | { type: 'del', key: string }

export interface RangeOptions {
  /** Only keys starting with this prefix. */
  prefix?: string
  gte?: string
  lt?: string
  limit?: number
  reverse?: boolean
}

export interface Store {
  get(key: string): Promise<Uint8Array | undefined>
  put(key: string, value: Uint8Array): Promise<void>
  del(key: string): Promise<void>
  /** Atomic: all ops apply or none. */
  batch(ops: StoreOp[]): Promise<void>
  entries(opts?: RangeOptions): AsyncIterable<[string, Uint8Array]>
  /** A nested key space; `name` must not contain '!'. */
  sublevel(name: string): Store
}

/** JSON helpers for the common case of small structured values. */
export async function getJson<T> (store: Store, key: string): Promise<T | undefined> {
  const v = await store.get(key)
  return v === undefined ? undefined : JSON.parse(new TextDecoder().decode(v)) as T
}

export async function putJson (store: Store, key: string, value: unknown): Promise<void> {
  await store.put(key, new TextEncoder().encode(JSON.stringify(value)))
}
