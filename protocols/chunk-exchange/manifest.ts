import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { base32 } from 'multiformats/bases/base32'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import { WireError } from '../../node/errors.ts'
import { ChunkError } from './errors.ts'
import { MAX_CHUNK_SIZE, MAX_CHUNKS, MAX_MANIFEST_BYTES, MAX_NAME_BYTES } from './constants.ts'
import { BoundedMemo } from '../../node/bounded-memo.ts'

declare const linkBrand: unique symbol
/** A share link: the manifest's CIDv1 (raw codec, sha2-256) in base32, e.g. `bafkrei...`. */
export type Link = string & { readonly [linkBrand]: true }

/** What a file is: its name, size, chunking and the SHA-256 of every chunk. */
export interface Manifest {
  name: string
  size: number
  chunkSize: number
  /** One 32-byte SHA-256 digest per chunk. */
  hashes: Uint8Array[]
}

/** A manifest with its encoded bytes and link, as the exchange carries it around. */
export interface SealedManifest {
  manifest: Manifest
  bytes: Uint8Array
  link: Link
}

export const MANIFEST_VERSION = 1
const HASH_BYTES = 32
/** multicodec `raw`: the manifest is our own binary format, opaque to IPLD. */
const RAW_CODEC = 0x55

export function chunkCount (size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize)
}

/** Length of chunk `index` (the last one may be shorter). */
export function chunkLength (m: Pick<Manifest, 'size' | 'chunkSize'>, index: number): number {
  return Math.min(m.chunkSize, m.size - index * m.chunkSize)
}

export function sha256Bytes (data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest()
}

export function chunkMatches (m: Manifest, index: number, data: Uint8Array): boolean {
  if (data.length !== chunkLength(m, index)) return false
  const got = sha256Bytes(data)
  const want = m.hashes[index]
  for (let i = 0; i < HASH_BYTES; i++) if (got[i] !== want[i]) return false
  return true
}

/**
 * Manifest layout (version 1):
 *
 *   offset  size        field
 *   0       1           version    MANIFEST_VERSION
 *   1       varint+n    name       UTF-8, at most MAX_NAME_BYTES
 *   ...     varint      size       file size in bytes
 *   ...     varint      chunkSize  bytes per chunk (the last chunk may be shorter)
 *   ...     varint      count      number of chunks, = ceil(size / chunkSize)
 *   ...     32 x count  hashes     SHA-256 of each chunk, in order
 */
export function encodeManifest (m: Manifest): Uint8Array {
  const w = new ByteWriter(64 + m.hashes.length * HASH_BYTES)
  w.u8(MANIFEST_VERSION).string(m.name).varint(m.size).varint(m.chunkSize).varint(m.hashes.length)
  for (const h of m.hashes) w.raw(h)
  const bytes = w.finish()
  checkManifest(m)
  return bytes
}

export function decodeManifest (bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new WireError('oversized', `manifest of ${bytes.length} bytes exceeds ${MAX_MANIFEST_BYTES}`)
  const r = new ByteReader(bytes, 'manifest')
  const version = r.u8('version')
  if (version !== MANIFEST_VERSION) throw new WireError('bad-version', `manifest version ${version}, expected ${MANIFEST_VERSION}`)
  const name = r.string('name', MAX_NAME_BYTES)
  const size = r.varint('size')
  const chunkSize = r.varint('chunkSize', MAX_CHUNK_SIZE)
  const count = r.varint('count', MAX_CHUNKS)
  const hashes: Uint8Array[] = []
  for (let i = 0; i < count; i++) hashes.push(r.raw(HASH_BYTES, 'hash').slice())
  r.end()
  const m = { name, size, chunkSize, hashes }
  checkManifest(m)
  return m
}

function checkManifest (m: Manifest): void {
  if (m.chunkSize < 1 || m.chunkSize > MAX_CHUNK_SIZE) throw new WireError('invalid', `manifest chunkSize ${m.chunkSize} out of range`)
  if (m.hashes.length !== chunkCount(m.size, m.chunkSize)) {
    throw new WireError('invalid', `manifest has ${m.hashes.length} hashes, a ${m.size}-byte file in ${m.chunkSize}-byte chunks needs ${chunkCount(m.size, m.chunkSize)}`)
  }
  if (m.hashes.length > MAX_CHUNKS) throw new WireError('oversized', `manifest has ${m.hashes.length} chunks, limit ${MAX_CHUNKS}`)
  if (new TextEncoder().encode(m.name).length > MAX_NAME_BYTES) throw new WireError('oversized', `manifest name longer than ${MAX_NAME_BYTES} bytes`)
  for (const h of m.hashes) if (h.length !== HASH_BYTES) throw new WireError('invalid', 'manifest hash is not 32 bytes')
}

export function linkOf (manifestBytes: Uint8Array): Link {
  const digest = Digest.create(sha256.code, sha256Bytes(manifestBytes))
  return CID.createV1(RAW_CODEC, digest).toString(base32) as Link
}

export function seal (m: Manifest): SealedManifest {
  const bytes = encodeManifest(m)
  return { manifest: m, bytes, link: linkOf(bytes) }
}

/** Decode manifest bytes received for `link`, rejecting any that do not hash to it. */
export function unseal (link: Link, bytes: Uint8Array): SealedManifest {
  const got = linkOf(bytes)
  if (got !== link) throw new ChunkError('bad-manifest', `manifest bytes hash to ${got}, not ${link}`, { link })
  let manifest: Manifest
  try {
    manifest = decodeManifest(bytes)
  } catch (err) {
    throw new ChunkError('bad-manifest', `manifest for ${link} is malformed: ${(err as Error).message}`, { link }, { cause: err })
  }
  return { manifest, bytes, link }
}

/** Validate a user-supplied link string: a base32 CIDv1, raw codec, sha2-256. */
export function parseLink (s: string): Link {
  const t = s.trim().replace(/^peerhive:\/\//, '')
  let cid: CID
  try {
    cid = CID.parse(t, base32)
  } catch (err) {
    throw new ChunkError('bad-link', `not a share link: ${JSON.stringify(s)} (expected a base32 CID like bafkrei...)`, { link: s }, { cause: err })
  }
  if (cid.version !== 1 || cid.code !== RAW_CODEC || cid.multihash.code !== sha256.code) {
    throw new ChunkError('bad-link', `link ${t} is not a peerhive manifest CID (CIDv1, raw, sha2-256)`, { link: s })
  }
  return cid.toString(base32) as Link
}

/**
 * The link as wire bytes (the CID's binary form) and back, memoised both ways: every
 * handshake carries its link, and parsing a CID each time was 2-3% of a 500-peer swarm's
 * CPU. A process holds a few links; past LINK_MEMO_ENTRIES the memo starts over.
 */
const LINK_MEMO_ENTRIES = 256
const linkBytes = new BoundedMemo<string, Uint8Array>(LINK_MEMO_ENTRIES)
const bytesLink = new BoundedMemo<string, Link>(LINK_MEMO_ENTRIES)

/** The link's CID bytes (shared: callers only read them). */
export function linkToBytes (link: Link): Uint8Array {
  return linkBytes.get(link) ?? linkBytes.set(link, CID.parse(link, base32).bytes)
}

export function linkFromBytes (bytes: Uint8Array): Link {
  // The bytes themselves as the key (one char per byte): equal keys, equal bytes.
  const key = String.fromCharCode.apply(null, Array.from(bytes))
  const known = bytesLink.get(key)
  if (known !== undefined) return known
  let cid: CID
  try {
    cid = CID.decode(bytes)
  } catch (err) {
    throw new WireError('invalid', `not a CID: ${(err as Error).message}`)
  }
  if (cid.version !== 1 || cid.code !== RAW_CODEC || cid.multihash.code !== sha256.code) throw new WireError('invalid', 'CID is not a manifest link')
  return bytesLink.set(key, cid.toString(base32) as Link)
}
