import type { SharedFileInfo, SearchHit } from '../../node/contracts.ts'
import { WireError } from '../../node/errors.ts'
import { asPeerKey, type PeerKey } from '../../node/ports/net.ts'
import type { Codec, WireProtocol } from '../../node/wire/codec.ts'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import { guidFromBytes, guidToBytes, type Guid } from '../flood-search/guid.ts'
import {
  MAX_ADDR_BYTES, MAX_ADDRS, MAX_DESCRIPTORS_PER_MESSAGE, MAX_FILE_NAME_BYTES, MAX_HITS_PER_MESSAGE, MAX_KEY_BYTES,
  MAX_MESSAGE_BYTES, MAX_NAME_BYTES, MAX_PEERS_PER_MESSAGE, MAX_QUERY_BYTES, MAX_QUERY_TIMEOUT_MS, MAX_SIG_BYTES, MAX_TAG_BYTES, MAX_TAGS,
  RELAY_PROTOCOL_ID
} from './constants.ts'

export type Role = 'super' | 'ordinary'

export interface PeerInfo {
  peer: PeerKey
  addrs: string[]
}

/** A directory entry as replicated between supernodes. */
export interface WireEntry {
  name: string
  peer: PeerKey
  addrs: string[]
  /** On the originating supernode's clock: only compared to break ties between rival claims. */
  claimedAt: number
  /** Remaining lifetime, so receivers need not share the sender's clock. */
  ttlMs: number
  /** The owner's signature over (name, peer, addrs, issuedAt): see claim.ts. */
  issuedAt: number
  sig: Uint8Array
}

/** A tier search hit: the contract's SearchHit plus the supernode hops it travelled. */
export interface TierHit extends SearchHit {
  hops: number
}

/**
 * The relay wire union. Requests (child -> supernode, supernode -> supernode) and their
 * responses; `dir-sync` is one-way replication among supernodes.
 */
export type RelayMsg =
  | { type: 'hello', role: Role, addrs: string[] }
  | { type: 'welcome', role: Role, addrs: string[], supernodes: PeerInfo[] }
  | { type: 'attach', name: string, addrs: string[], issuedAt: number, sig: Uint8Array }
  | { type: 'attached', supernodes: PeerInfo[] }
  | { type: 'publish', files: SharedFileInfo[] }
  | { type: 'published', count: number }
  | { type: 'query', text: string, ttl: number, limit: number, timeoutMs: number }
  | { type: 'hits', guid: Guid, hits: TierHit[] }
  | { type: 'whereis', name: string }
  | { type: 'where', entry?: PeerInfo & { name: string } }
  | { type: 'dir-sync', entries: WireEntry[] }

const TYPES = ['hello', 'welcome', 'attach', 'attached', 'publish', 'published', 'query', 'hits', 'whereis', 'where', 'dir-sync'] as const
const ROLES: readonly Role[] = ['super', 'ordinary']

// Field encoders shared by several messages.

function writeAddrs (w: ByteWriter, addrs: string[]): void {
  if (addrs.length > MAX_ADDRS) throw new WireError('oversized', `relay: ${addrs.length} addresses exceed ${MAX_ADDRS}`)
  w.varint(addrs.length)
  for (const a of addrs) w.string(a)
}

function readAddrs (r: ByteReader): string[] {
  const n = r.varint('addrs.count', MAX_ADDRS)
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const a = r.string('addr', MAX_ADDR_BYTES)
    if (!a.startsWith('/') || /[\u0000-\u001f]/.test(a)) throw new WireError('invalid', `relay: address ${JSON.stringify(a.slice(0, 40))} is not a multiaddr`, { field: 'addr' })
    out.push(a)
  }
  return out
}

function writePeer (w: ByteWriter, p: PeerInfo): void { w.string(p.peer); writeAddrs(w, p.addrs) }
function readPeer (r: ByteReader): PeerInfo {
  const peer = r.string('peer', MAX_KEY_BYTES)
  if (peer === '') throw new WireError('invalid', 'relay: empty peer id', { field: 'peer' })
  return { peer: asPeerKey(peer), addrs: readAddrs(r) }
}

function writePeers (w: ByteWriter, ps: PeerInfo[]): void {
  if (ps.length > MAX_PEERS_PER_MESSAGE) throw new WireError('oversized', `relay: ${ps.length} peers exceed ${MAX_PEERS_PER_MESSAGE}`)
  w.varint(ps.length)
  for (const p of ps) writePeer(w, p)
}
function readPeers (r: ByteReader): PeerInfo[] {
  const n = r.varint('peers.count', MAX_PEERS_PER_MESSAGE)
  return Array.from({ length: n }, () => readPeer(r))
}

/** A file descriptor: link, name, size (varint), tags. */
function writeFile (w: ByteWriter, f: SharedFileInfo): void {
  w.string(f.link).string(f.name).varint(f.size)
  const tags = f.tags ?? []
  if (tags.length > MAX_TAGS) throw new WireError('oversized', `relay: ${tags.length} tags exceed ${MAX_TAGS}`)
  w.varint(tags.length)
  for (const t of tags) w.string(t)
}
function readFile (r: ByteReader): SharedFileInfo {
  const link = r.string('file.link', MAX_KEY_BYTES)
  const name = r.string('file.name', MAX_FILE_NAME_BYTES)
  const size = r.varint('file.size')
  const nt = r.varint('file.tags.count', MAX_TAGS)
  const tags = Array.from({ length: nt }, () => r.string('file.tag', MAX_TAG_BYTES))
  if (link === '') throw new WireError('invalid', 'relay: empty file link', { field: 'file.link' })
  return nt > 0 ? { link, name, size, tags } : { link, name, size }
}

function role (r: ByteReader): Role {
  const v = r.u8('role')
  const out = ROLES[v]
  if (out === undefined) throw new WireError('invalid', `relay: role ${v} unknown`, { field: 'role' })
  return out
}

function name (r: ByteReader, field: string): string {
  const n = r.string(field, MAX_NAME_BYTES)
  // Control characters never belong in a user name (and NUL separates signed fields).
  if (/[\u0000-\u001f\u007f]/.test(n)) throw new WireError('invalid', `relay: ${field} contains control characters`, { field })
  return n
}

function sig (r: ByteReader): Uint8Array {
  return r.bytes('sig', MAX_SIG_BYTES)
}

/**
 * Byte layout: `type` u8 (index in TYPES), then per type (strings and lists varint-prefixed;
 * addrs = count, then each multiaddr as a string):
 *
 *   hello      role u8 (0 super, 1 ordinary), addrs
 *   welcome    role u8, addrs, supernodes = count, then each (peer string, addrs)
 *   attach     name string (may be empty: no claim), addrs, issuedAt varint, sig bytes (varint length,
 *              <= 128; the name claim signed by the sender, see claim.ts; empty with no name)
 *   attached   supernodes (as in welcome)
 *   publish    count, then each file (link string, name string, size varint, tags = count + strings)
 *   published  count varint
 *   query      text string, ttl u8, limit varint, timeoutMs varint (a child's search, run by its supernode)
 *   hits       guid 16 bytes (the tier query's), count, then each (file, peer string, addrs, hops u8)
 *   whereis    name string
 *   where      found u8 (0/1), then if found: name string, peer string, addrs
 *   dir-sync   count, then each (name string, peer string, addrs, claimedAt varint, ttlMs varint,
 *              issuedAt varint, sig bytes)
 */
export function encodeRelay (m: RelayMsg): Uint8Array {
  const w = new ByteWriter(64)
  w.u8(TYPES.indexOf(m.type))
  switch (m.type) {
    case 'hello': w.u8(ROLES.indexOf(m.role)); writeAddrs(w, m.addrs); break
    case 'welcome': w.u8(ROLES.indexOf(m.role)); writeAddrs(w, m.addrs); writePeers(w, m.supernodes); break
    case 'attach': w.string(m.name); writeAddrs(w, m.addrs); w.varint(Math.max(0, Math.floor(m.issuedAt))).bytes(m.sig); break
    case 'attached': writePeers(w, m.supernodes); break
    case 'publish':
      if (m.files.length > MAX_DESCRIPTORS_PER_MESSAGE) throw new WireError('oversized', `relay: ${m.files.length} descriptors exceed ${MAX_DESCRIPTORS_PER_MESSAGE}`)
      w.varint(m.files.length)
      for (const f of m.files) writeFile(w, f)
      break
    case 'published': w.varint(m.count); break
    case 'query': w.string(m.text).u8(m.ttl).varint(m.limit).varint(m.timeoutMs); break
    case 'hits':
      if (m.hits.length > MAX_HITS_PER_MESSAGE) throw new WireError('oversized', `relay: ${m.hits.length} hits exceed ${MAX_HITS_PER_MESSAGE}`)
      w.raw(guidToBytes(m.guid)).varint(m.hits.length)
      for (const h of m.hits) { writeFile(w, h.file); writePeer(w, h); w.u8(Math.min(255, h.hops)) }
      break
    case 'whereis': w.string(m.name); break
    case 'where':
      w.bool(m.entry !== undefined)
      if (m.entry !== undefined) { w.string(m.entry.name); writePeer(w, m.entry) }
      break
    case 'dir-sync':
      if (m.entries.length > MAX_DESCRIPTORS_PER_MESSAGE) throw new WireError('oversized', `relay: ${m.entries.length} entries exceed ${MAX_DESCRIPTORS_PER_MESSAGE}`)
      w.varint(m.entries.length)
      for (const e of m.entries) {
        w.string(e.name); writePeer(w, e)
        w.varint(Math.max(0, Math.floor(e.claimedAt))).varint(Math.max(0, Math.floor(e.ttlMs))).varint(Math.max(0, Math.floor(e.issuedAt))).bytes(e.sig)
      }
      break
  }
  return w.finish()
}

export function decodeRelay (bytes: Uint8Array): RelayMsg {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new WireError('oversized', `relay: message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`)
  const r = new ByteReader(bytes, 'relay')
  const tag = r.u8('type')
  const type = TYPES[tag]
  let m: RelayMsg
  switch (type) {
    case 'hello': m = { type, role: role(r), addrs: readAddrs(r) }; break
    case 'welcome': m = { type, role: role(r), addrs: readAddrs(r), supernodes: readPeers(r) }; break
    case 'attach': m = { type, name: name(r, 'name'), addrs: readAddrs(r), issuedAt: r.varint('issuedAt'), sig: sig(r) }; break
    case 'attached': m = { type, supernodes: readPeers(r) }; break
    case 'publish': {
      const n = r.varint('files.count', MAX_DESCRIPTORS_PER_MESSAGE)
      m = { type, files: Array.from({ length: n }, () => readFile(r)) }
      break
    }
    case 'published': m = { type, count: r.varint('count') }; break
    case 'query': {
      const text = r.string('text', MAX_QUERY_BYTES)
      m = { type, text, ttl: r.u8('ttl'), limit: r.varint('limit', MAX_HITS_PER_MESSAGE), timeoutMs: r.varint('timeoutMs', MAX_QUERY_TIMEOUT_MS) }
      break
    }
    case 'hits': {
      const guid = guidFromBytes(r.raw(16, 'guid'))
      const n = r.varint('hits.count', MAX_HITS_PER_MESSAGE)
      m = { type, guid, hits: Array.from({ length: n }, () => { const file = readFile(r); const p = readPeer(r); return { file, ...p, hops: r.u8('hops') } }) }
      break
    }
    case 'whereis': m = { type, name: name(r, 'name') }; break
    case 'where': {
      const found = r.bool('found')
      if (!found) { m = { type }; break }
      const n = name(r, 'entry.name')
      m = { type, entry: { name: n, ...readPeer(r) } }
      break
    }
    case 'dir-sync': {
      const n = r.varint('entries.count', MAX_DESCRIPTORS_PER_MESSAGE)
      m = {
        type,
        entries: Array.from({ length: n }, () => {
          const en = name(r, 'entry.name')
          const p = readPeer(r)
          return { name: en, ...p, claimedAt: r.varint('claimedAt'), ttlMs: r.varint('ttlMs'), issuedAt: r.varint('issuedAt'), sig: sig(r) }
        })
      }
      break
    }
    default: throw new WireError('unknown-type', `relay: message type ${tag} unknown`, { type: tag })
  }
  r.end()
  return m
}

export const relayCodec: Codec<RelayMsg> = { encode: encodeRelay, decode: decodeRelay }

export const relayWire: WireProtocol<RelayMsg> = { id: RELAY_PROTOCOL_ID, codec: relayCodec, maxMessageBytes: MAX_MESSAGE_BYTES }
