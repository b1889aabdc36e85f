import type { ActorRef } from '../../node/kernel/actor.ts'
import type { Catalog, SharedFileInfo } from '../../node/contracts.ts'
import type { ChunkActorMsg, ChunksStatus } from './actor.ts'
import { hashStream } from './chunker.ts'
import { ChunkError } from './errors.ts'
import { parseLink, seal, type Link, type Manifest } from './manifest.ts'
import type { Progress } from './progress.ts'
import { LatestQueue } from './progress-stream.ts'
import { hashFile } from './share-file.ts'
import type { StorageSpec } from './storage.ts'

/** Generous deadline for asks that open storage (re-verifying a resumed file reads it whole). */
const OPEN_TIMEOUT_MS = 120_000

export interface ShareResult {
  link: Link
  manifest: { name: string, size: number, chunkSize: number, chunks: number }
  /** SHA-256 of the whole file (hex); a finished download has the same. */
  sha256: string
}

export interface GetOptions {
  /** Output file, or a directory (ends with '/' or `outIsDir`) to write `<manifest name>` into. Omitted: chunks stay in the store. */
  out?: string
  outIsDir?: boolean
  /** Keep seeding after completion (otherwise the peer leaves the swarm). */
  seed?: boolean
}

export interface TransferHandle {
  link: Link
  /** Progress snapshots until the file is complete (or the transfer stops/fails). */
  progress: AsyncIterable<Progress>
  /** Resolves with the final snapshot when complete and verified; rejects if stopped or failed. */
  done: Promise<Progress>
}

const finished = (p: Progress): boolean => p.chunks > 0 ? p.chunksHave === p.chunks && (p.state === 'seeding' || p.state === 'complete') : p.state === 'seeding' || p.state === 'complete'

/** The chunk exchange's programmatic API ('chunks' in the service registry). */
export class ChunksApi implements Catalog {
  private readonly ref: ActorRef<ChunkActorMsg>
  private readonly chunkSize: number
  private readonly onDisk: boolean

  constructor (ref: ActorRef<ChunkActorMsg>, opts: { chunkSize: number, onDisk: boolean }) {
    this.ref = ref
    this.chunkSize = opts.chunkSize
    this.onDisk = opts.onDisk
  }

  /** Share a file on disk: hashed as a stream, served from the file itself. */
  async share (path: string): Promise<ShareResult> {
    const h = await hashFile(path, this.chunkSize)
    const sealed = seal(h.manifest)
    const spec: StorageSpec = this.onDisk ? { kind: 'file', path: h.path, source: true } : { kind: 'store' }
    const content = this.onDisk ? undefined : await readAll(h.path)
    await this.ref.ask<Progress>(reply => ({ type: 'add', link: sealed.link, sealed, spec, seed: true, content, reply }), OPEN_TIMEOUT_MS)
    return { link: sealed.link, manifest: summary(h.manifest), sha256: h.fileSha256 }
  }

  /** Share bytes held in memory (simulations, tests): chunks go to the store. */
  async shareBytes (name: string, data: Uint8Array, opts: { chunkSize?: number } = {}): Promise<ShareResult> {
    const h = await hashStream((async function * () { yield data })(), { name, chunkSize: opts.chunkSize ?? this.chunkSize })
    const sealed = seal(h.manifest)
    await this.ref.ask<Progress>(reply => ({ type: 'add', link: sealed.link, sealed, spec: { kind: 'store' }, seed: true, content: data, reply }), OPEN_TIMEOUT_MS)
    return { link: sealed.link, manifest: summary(h.manifest), sha256: h.fileSha256 }
  }

  /** Start (or rejoin) a download. */
  async get (linkText: string, opts: GetOptions = {}): Promise<TransferHandle> {
    const link = parseLink(linkText)
    const spec: StorageSpec = opts.out === undefined || !this.onDisk
      ? { kind: 'store' }
      : { kind: 'file', path: opts.out, source: false, ...(opts.outIsDir === true || opts.out.endsWith('/') ? { dir: true } : {}) }
    await this.ref.ask<Progress>(reply => ({ type: 'add', link, spec, seed: opts.seed === true, reply }), OPEN_TIMEOUT_MS)
    const queue = new LatestQueue<Progress>()
    const { promise: done, resolve, reject } = Promise.withResolvers<Progress>()
    done.catch(() => {})
    const listener = (p: Progress): void => {
      queue.push(p)
      if (finished(p)) { queue.end(); resolve(p); unwatch?.() } else if (p.state === 'stopped' || p.state === 'failed') {
        queue.end()
        reject(new ChunkError(p.state === 'stopped' ? 'stopped' : 'storage', `transfer ${link} ${p.state}${p.error !== undefined ? `: ${p.error}` : ''}`, { link }))
        unwatch?.()
      }
    }
    let unwatch: (() => void) | undefined
    unwatch = await this.ref.ask<() => void>(reply => ({ type: 'watch', link, listener, reply }))
    return { link, progress: queue, done }
  }

  async status (): Promise<ChunksStatus> {
    return await this.ref.ask<ChunksStatus>(reply => ({ type: 'status', reply }))
  }

  async listShared (): Promise<SharedFileInfo[]> {
    return await this.ref.ask<SharedFileInfo[]>(reply => ({ type: 'list', reply }))
  }

  /** Stop a transfer (leave its swarm); false if there was none. */
  async stop (linkText: string): Promise<boolean> {
    const link = parseLink(linkText)
    return await this.ref.ask<boolean>(reply => ({ type: 'stop', link, reply }))
  }
}

function summary (m: Manifest): ShareResult['manifest'] {
  return { name: m.name, size: m.size, chunkSize: m.chunkSize, chunks: m.hashes.length }
}

async function readAll (path: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises')
  return new Uint8Array(await readFile(path))
}
