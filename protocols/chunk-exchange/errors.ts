import { PeerhiveError } from '../../node/errors.ts'

export type ChunkErrorCode =
  | 'bad-link' // not a base32 CIDv1 of a sha2-256 manifest
  | 'bad-manifest' // manifest bytes malformed or not matching the link
  | 'hash-mismatch' // a chunk failed verification
  | 'not-found' // no peer could supply the manifest
  | 'unknown-swarm' // no transfer for this link
  | 'storage' // reading or writing chunk data failed
  | 'stopped' // the transfer was stopped

/** A chunk-exchange failure; `context` names the link, chunk or peer involved. */
export class ChunkError extends PeerhiveError {
  declare readonly code: ChunkErrorCode
  constructor (code: ChunkErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options)
  }
}
