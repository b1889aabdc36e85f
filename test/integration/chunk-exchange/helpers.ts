import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChunksApi } from '../../../protocols/chunk-exchange/api.ts'
import type { RuntimePeer } from '../../../node/peer.ts'

export const chunks = (p: RuntimePeer): ChunksApi => {
  const api = p.services.get<ChunksApi>('chunks')
  if (api === undefined) throw new Error(`peer ${p.id} has no chunks module`)
  return api
}

export async function tempDir (label: string): Promise<{ dir: string, remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `peerhive-${label}-`))
  return { dir, remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export async function randomFile (dir: string, name: string, size: number): Promise<{ path: string, sha256: string }> {
  const data = randomBytes(size)
  const path = join(dir, name)
  await writeFile(path, data)
  return { path, sha256: createHash('sha256').update(data).digest('hex') }
}

export async function fileSha256 (path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

/** Reject after `ms` with a message naming what was awaited (the test's own bound). */
export async function within<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const t = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: not done after ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([p, t])
  } finally {
    clearTimeout(timer)
  }
}
