import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Store } from '../../node/ports/store.ts'
import { Bitfield } from './bitfield.ts'
import { ChunkError } from './errors.ts'
import { chunkLength, chunkMatches, type Manifest } from './manifest.ts'
import type { ChunkStorage, OpenStorage } from './storage.ts'
import { StoreChunkStorage } from './storage.ts'

const PROGRESS_KEY = 'bits'
/** Set (to the output path) once the finished file was renamed into place. */
const DONE_KEY = 'done'

/**
 * Chunks in a real file, for real peers. A shared original is only read. A download
 * writes verified chunks at their offsets into `<out>.part`, then records the chunk in
 * the store's progress bitfield (data first, record second: after kill -9 a chunk is
 * either recorded and on disk, or not recorded). On reopen every recorded chunk is read
 * back and re-verified, so nothing unverified is ever counted; when complete the file is
 * renamed to `out`.
 *
 * The record is a hint for that re-verification, so it may lag the data: `write`
 * resolves once the chunk's bytes are in the file, and the bitfield is written in the
 * background, one put at a time, each carrying every chunk written before it started
 * (a LevelDB put per 256 KiB chunk, awaited by the swarm, held up the receive path).
 * A chunk whose record was lost to a crash is simply fetched again.
 */
export class FileChunkStorage implements ChunkStorage {
  readonly have: Bitfield
  readonly location: string
  private fd: FileHandle | undefined
  private readonly manifest: Manifest
  private readonly meta: Store
  private readonly path: string
  private readonly source: boolean
  /** The progress put in flight, and whether chunks were written since it started. */
  private recording: Promise<void> | undefined
  private dirty = false
  /** Chunk writes in flight (the swarm runs them off its mailbox): close() lets them land first. */
  private readonly writing = new Set<Promise<void>>()

  private constructor (manifest: Manifest, meta: Store, path: string, source: boolean, fd: FileHandle, have: Bitfield) {
    this.manifest = manifest
    this.meta = meta
    this.path = path
    this.source = source
    this.fd = fd
    this.have = have
    this.location = path
  }

  static async open (manifest: Manifest, meta: Store, path: string, source: boolean): Promise<FileChunkStorage> {
    const count = manifest.hashes.length
    if (source) {
      const st = await stat(path).catch((err: unknown) => { throw new ChunkError('storage', `cannot read shared file ${path}: ${(err as Error).message}`, { path }, { cause: err }) })
      if (st.size !== manifest.size) throw new ChunkError('storage', `shared file ${path} is ${st.size} bytes, its manifest says ${manifest.size}`, { path })
      return new FileChunkStorage(manifest, meta, path, true, await open(path, 'r'), Bitfield.full(count))
    }
    const part = path + '.part'
    const done = await stat(path).then(s => s.size === manifest.size, () => false)
    const donePath = await meta.get(DONE_KEY)
    if (done && donePath !== undefined && new TextDecoder().decode(donePath) === path) {
      return new FileChunkStorage(manifest, meta, path, true, await open(path, 'r'), Bitfield.full(count))
    }
    const fd = await open(part, 'a+').then(async h => { await h.close(); return await open(part, 'r+') })
    const stored = await meta.get(PROGRESS_KEY)
    const claimed = new Bitfield(count, stored !== undefined && stored.length === Math.ceil(count / 8) ? stored : undefined)
    const have = new Bitfield(count)
    const s = new FileChunkStorage(manifest, meta, path, false, fd, have)
    for (const i of claimed.indexes()) {
      const data = await s.readRaw(i)
      if (chunkMatches(manifest, i, data)) have.add(i)
    }
    if (have.count !== claimed.count) await meta.put(PROGRESS_KEY, have.bytes.slice())
    return s
  }

  private async readRaw (index: number): Promise<Uint8Array> {
    const fd = this.handle()
    const len = chunkLength(this.manifest, index)
    // Uninitialised (no zero fill of 256 KiB per chunk): every byte is read into it, and a
    // short read returns only what was read. A plain view, so `slice` still copies.
    const raw = Buffer.allocUnsafeSlow(len)
    const buf = new Uint8Array(raw.buffer, raw.byteOffset, len)
    let off = 0
    while (off < len) {
      const { bytesRead } = await fd.read(buf, off, len - off, index * this.manifest.chunkSize + off)
      if (bytesRead === 0) break
      off += bytesRead
    }
    return off === len ? buf : buf.subarray(0, off)
  }

  private handle (): FileHandle {
    if (this.fd === undefined) throw new ChunkError('storage', `${this.path} is closed`, { path: this.path })
    return this.fd
  }

  async read (index: number): Promise<Uint8Array> {
    if (!this.have.has(index)) throw new ChunkError('storage', `chunk ${index} not present in ${this.path}`, { index, path: this.path })
    return await this.readRaw(index)
  }

  async write (index: number, data: Uint8Array): Promise<void> {
    if (this.source) return
    const w = this.writeChunk(index, data)
    this.writing.add(w)
    try {
      await w
    } finally {
      this.writing.delete(w)
    }
  }

  private async writeChunk (index: number, data: Uint8Array): Promise<void> {
    const fd = this.handle()
    let off = 0
    while (off < data.length) {
      const { bytesWritten } = await fd.write(data, off, data.length - off, index * this.manifest.chunkSize + off)
      off += bytesWritten
    }
    this.have.add(index)
    this.record()
  }

  /** Start a progress put unless one is running; a running one is followed by one more. */
  private record (): void {
    this.dirty = true
    if (this.recording !== undefined) return
    this.recording = (async () => {
      while (this.dirty) {
        this.dirty = false
        await this.meta.put(PROGRESS_KEY, this.have.bytes.slice())
      }
    })().finally(() => { this.recording = undefined })
    // finish() and close() await it; an unobserved failure is only a lost hint (see above).
    this.recording.catch(() => {})
  }

  /** Wait for the progress record to catch up with the chunks written. */
  private async recorded (): Promise<void> {
    while (this.recording !== undefined) await this.recording
  }

  async finish (): Promise<void> {
    if (this.source) return
    await this.recorded()
    const fd = this.handle()
    await fd.truncate(this.manifest.size)
    await fd.sync()
    await fd.close()
    await rename(this.path + '.part', this.path)
    await this.meta.put(DONE_KEY, new TextEncoder().encode(this.path))
    this.fd = await open(this.path, 'r')
  }

  async close (): Promise<void> {
    // A failed write was reported to its caller; here it only must not be cut off mid-way.
    await Promise.allSettled([...this.writing])
    await this.recorded().catch(() => {})
    const fd = this.fd
    this.fd = undefined
    await fd?.close()
  }
}

/** A real peer's opener: files where the spec says so, the store otherwise. */
export const openOnDisk: OpenStorage = async (link, manifest, spec, meta) => {
  if (spec.kind === 'file') {
    const path = spec.dir === true ? join(spec.path, safeName(manifest.name, link)) : spec.path
    if (!spec.source) await mkdir(dirname(path), { recursive: true })
    return await FileChunkStorage.open(manifest, meta, path, spec.source)
  }
  return await StoreChunkStorage.open(meta, manifest)
}

/** A manifest name is remote input: keep only a plain file name (no directories, no dot-dot). */
export function safeName (name: string, fallback: string): string {
  const b = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f]/g, '')
  return b === '' || b === '.' || b === '..' ? fallback : b
}
