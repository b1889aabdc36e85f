import { createHash } from 'node:crypto'
import type { Manifest } from './manifest.ts'
import { ChunkError } from './errors.ts'

/**
 * Cut a byte stream into fixed-size chunks without holding more than one chunk: input
 * pieces of any size are copied into a chunk buffer that is yielded when full (the
 * last chunk may be shorter). A multi-GiB file streams through in O(chunkSize) memory.
 */
export async function * chunksOf (source: AsyncIterable<Uint8Array>, chunkSize: number): AsyncIterable<Uint8Array> {
  let buf = new Uint8Array(chunkSize)
  let fill = 0
  for await (const piece of source) {
    let off = 0
    while (off < piece.length) {
      const n = Math.min(chunkSize - fill, piece.length - off)
      buf.set(piece.subarray(off, off + n), fill)
      fill += n
      off += n
      if (fill === chunkSize) {
        yield buf
        buf = new Uint8Array(chunkSize)
        fill = 0
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill)
}

export interface HashedFile {
  manifest: Manifest
  /** SHA-256 of the whole file (hex): what a finished download must equal. */
  fileSha256: string
}

/** Hash a stream into a manifest, chunk by chunk; `onChunk` may store each chunk as it passes. */
export async function hashStream (
  source: AsyncIterable<Uint8Array>,
  opts: { name: string, chunkSize: number, onChunk?: (index: number, chunk: Uint8Array) => Promise<void> | void }
): Promise<HashedFile> {
  if (!Number.isSafeInteger(opts.chunkSize) || opts.chunkSize < 1) throw new ChunkError('bad-manifest', `chunk size must be a positive integer, got ${opts.chunkSize}`)
  const whole = createHash('sha256')
  const hashes: Uint8Array[] = []
  let size = 0
  for await (const chunk of chunksOf(source, opts.chunkSize)) {
    whole.update(chunk)
    hashes.push(new Uint8Array(createHash('sha256').update(chunk).digest()))
    await opts.onChunk?.(hashes.length - 1, chunk)
    size += chunk.length
  }
  return { manifest: { name: opts.name, size, chunkSize: opts.chunkSize, hashes }, fileSha256: whole.digest('hex') }
}
