import type { Store } from '../../node/ports/store.ts'
import { Bitfield } from './bitfield.ts'
import { ChunkError } from './errors.ts'
import type { Link, Manifest } from './manifest.ts'
import { chunkMatches } from './manifest.ts'

/**
 * Where a swarm's verified chunks live. The actor only ever hands it chunks that passed
 * their hash, and reads chunks back to upload (re-verifying them). Implementations: the
 * Store port (works everywhere, the simulator included) and a file (real peers).
 */
export interface ChunkStorage {
  /** Verified chunks present now (loaded when opened). */
  readonly have: Bitfield
  read(index: number): Promise<Uint8Array>
  /** Store a verified chunk and record it as present. */
  write(index: number, data: Uint8Array): Promise<void>
  /** Every chunk is present: make the result visible (a file is renamed into place). */
  finish(): Promise<void>
  close(): Promise<void>
  /** Where the data is, for status (a path, or 'store'). */
  readonly location: string
}

/** How a swarm's storage is opened; persisted with the swarm so a restart reopens it. */
export type StorageSpec =
  | { kind: 'store' }
  /**
   * `path` is the output (or, with `source`, the shared original that is only read); with
   * `dir`, a directory to write the file into under its manifest name.
   */
  | { kind: 'file', path: string, source: boolean, dir?: boolean }

export type OpenStorage = (link: Link, manifest: Manifest, spec: StorageSpec, meta: Store) => Promise<ChunkStorage>

const key = (i: number): string => 'c' + i.toString(16).padStart(8, '0')

/**
 * Chunks as values in the store (a LevelDB sublevel on a real peer, a map in the
 * simulator). Presence is the key itself, so a chunk is recorded atomically with its data
 * and a crash can never leave a half-written chunk marked present.
 */
export class StoreChunkStorage implements ChunkStorage {
  readonly have: Bitfield
  readonly location = 'store'
  private readonly store: Store

  private constructor (store: Store, have: Bitfield) {
    this.store = store
    this.have = have
  }

  /** Reopen, keeping only chunks that still verify (a torn or corrupted value is dropped). */
  static async open (store: Store, manifest: Manifest): Promise<StoreChunkStorage> {
    const have = new Bitfield(manifest.hashes.length)
    const bad: string[] = []
    for await (const [k, v] of store.entries({ prefix: 'c' })) {
      const i = Number.parseInt(k.slice(1), 16)
      if (Number.isInteger(i) && i < manifest.hashes.length && chunkMatches(manifest, i, v)) have.add(i)
      else bad.push(k)
    }
    if (bad.length > 0) await store.batch(bad.map(k => ({ type: 'del' as const, key: k })))
    return new StoreChunkStorage(store, have)
  }

  async read (index: number): Promise<Uint8Array> {
    const v = await this.store.get(key(index))
    if (v === undefined) throw new ChunkError('storage', `chunk ${index} is not in the store`, { index })
    return v
  }

  async write (index: number, data: Uint8Array): Promise<void> {
    await this.store.put(key(index), data)
    this.have.add(index)
  }

  async finish (): Promise<void> {}
  async close (): Promise<void> {}
}

/** The default opener in the simulator and tests: everything in the store. */
export const openInStore: OpenStorage = async (_link, manifest, _spec, meta) => await StoreChunkStorage.open(meta, manifest)
