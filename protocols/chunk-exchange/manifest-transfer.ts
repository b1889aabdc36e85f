import type { BulkSource, NetPort, PeerKey } from '../../node/ports/net.ts'
import { ChunkError } from './errors.ts'
import { unseal, type Link, type SealedManifest } from './manifest.ts'
import type { ChunkMsg } from './messages.ts'

/**
 * Manifests travel on bulk streams, not frames: a manifest can reach MAX_MANIFEST_BYTES
 * (2 MiB), which as a frame would set the frame limit (and every read buffer) of the
 * whole protocol. The requester asks with `manifest-get` (a request); the holder opens a
 * bulk stream with header `{ type: 'manifest', link, size }`, writes the sealed bytes, and
 * answers the request once the requester has read them all (or with an error).
 */

/** Holder side: stream `bytes` to `to`; resolves once `to` read everything. */
export async function serveManifest (net: NetPort<ChunkMsg>, to: PeerKey, link: Link, bytes: Uint8Array): Promise<void> {
  const w = await net.openBulk(to, { type: 'manifest', link, size: bytes.length })
  try {
    await w.write(bytes)
    await w.close()
  } catch (err) {
    w.abort(`manifest transfer failed: ${(err as Error).message}`)
    throw err
  }
}

/**
 * Requester side: read exactly `size` bytes and check them against the link (a manifest
 * is addressed by its hash, so whoever sent it, it is the right one or rejected). Throws
 * ChunkError `bad-manifest` for a wrong length or content; the caller strikes the sender.
 */
export async function receiveManifest (source: BulkSource, link: Link, size: number): Promise<SealedManifest> {
  const bytes = new Uint8Array(size)
  let got = 0
  for await (const piece of source) {
    if (got + piece.length > size) {
      source.abort('manifest longer than announced')
      throw new ChunkError('bad-manifest', `manifest stream for ${link} is longer than the announced ${size} bytes`, { link })
    }
    bytes.set(piece, got)
    got += piece.length
  }
  if (got !== size) throw new ChunkError('bad-manifest', `manifest stream for ${link} ended after ${got} of ${size} bytes`, { link })
  return unseal(link, bytes)
}
