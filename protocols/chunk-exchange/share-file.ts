import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { hashStream, type HashedFile } from './chunker.ts'
import { ChunkError } from './errors.ts'

/** Read buffer for hashing a shared file: a few chunks per read keeps syscalls few and memory flat. */
const READ_HIGH_WATER_MARK = 1024 * 1024

/**
 * Hash a file on disk into a manifest, streaming: a multi-GiB file never sits in memory.
 * This is the module layer's job; the actor never touches the file system.
 */
export async function hashFile (path: string, chunkSize: number): Promise<HashedFile & { path: string }> {
  const abs = resolve(path)
  const st = await stat(abs).catch((err: unknown) => {
    throw new ChunkError('storage', `cannot share ${abs}: ${(err as Error).message}`, { path: abs }, { cause: err })
  })
  if (!st.isFile()) throw new ChunkError('storage', `cannot share ${abs}: not a regular file`, { path: abs })
  const hashed = await hashStream(createReadStream(abs, { highWaterMark: READ_HIGH_WATER_MARK }), { name: basename(abs), chunkSize })
  const after = await stat(abs)
  if (after.size !== hashed.manifest.size || after.mtimeMs !== st.mtimeMs) {
    throw new ChunkError('storage', `${abs} changed while it was being hashed`, { path: abs })
  }
  return { ...hashed, path: abs }
}
