import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import type { Codec, WireProtocol } from '../../node/wire/codec.ts'
import { WireError } from '../../node/errors.ts'
import { asPeerKey, type PeerKey } from '../../node/ports/net.ts'
import type { SharedFileInfo } from '../../node/contracts.ts'
import {
  GUID_BYTES, MAX_ADDR_BYTES, MAX_ADDRS, MAX_KEYWORD_BYTES, MAX_KEYWORDS, MAX_LINK_BYTES, MAX_MESSAGE_BYTES,
  MAX_NAME_BYTES, MAX_PEER_ID_BYTES, MAX_REASON_BYTES, MAX_RESULTS_PER_HIT_LIMIT, MAX_TAG_BYTES, MAX_TAGS,
  MAX_TRY_PEERS, SEARCH_PROTOCOL_ID
} from './constants.ts'
import { guidFromBytes, guidToBytes, type Guid } from './guid.ts'

/** A peer and where to dial it. */
export interface PeerInfo {
  peer: PeerKey
  addrs: string[]
}

/** The header every routed descriptor carries (Gnutella's descriptor header). */
export interface Descriptor {
  guid: Guid
  /** Hops still allowed; a forwarder sends ttl - 1 and drops at 0. */
  ttl: number
  /** Hops travelled so far; a forwarder sends hops + 1. */
  hops: number
}

/** Optional constraints a query puts on matching files. */
export interface QueryFilters {
  minSize?: number
  maxSize?: number
}

/**
 * The flood-search wire union. `hello` rides the envelope's request kind and is answered
 * by `welcome` (now neighbours) or `busy` (full: try these peers instead, as Gnutella 0.6's
 * X-Try). Ping and Query are flooded; Pong and QueryHit travel back over the reverse path.
 */
export type SearchMsg =
  | { type: 'hello', addrs: string[], degree: number }
  | { type: 'welcome', addrs: string[], degree: number }
  | { type: 'busy', try: PeerInfo[] }
  | ({ type: 'ping' } & Descriptor)
  | ({ type: 'pong', peer: PeerKey, addrs: string[], degree: number } & Descriptor)
  | ({ type: 'query', keywords: string[] } & QueryFilters & Descriptor)
  | ({ type: 'hit', responder: PeerKey, addrs: string[], results: SharedFileInfo[] } & Descriptor)
  | { type: 'bye', reason: string }

export type QueryMsg = Extract<SearchMsg, { type: 'query' }>
export type HitMsg = Extract<SearchMsg, { type: 'hit' }>
export type PingMsg = Extract<SearchMsg, { type: 'ping' }>
export type PongMsg = Extract<SearchMsg, { type: 'pong' }>

const TYPES = ['hello', 'welcome', 'busy', 'ping', 'pong', 'query', 'hit', 'bye'] as const

/** Query filter flags (one byte): which optional fields follow the keywords. */
const FILTER_MIN_SIZE = 1
const FILTER_MAX_SIZE = 2
/** Shared-file flags: tags follow the size. */
const FILE_HAS_TAGS = 1

/**
 * Byte layouts (after the envelope). Every message starts with one type byte (its index in
 * TYPES); integers are unsigned LEB128 varints; `string` is a varint length then UTF-8;
 * `addrs` is a count (<= 8) then that many strings (<= 256 bytes each); a descriptor header
 * `D` is guid (16 raw bytes), ttl (u8), hops (u8).
 *
 *   hello    0  addrs, degree (u8: the joiner's current neighbour count; 0 lets a full peer make room)
 *   welcome  1  addrs, degree (u8: the acceptor's neighbour count, counting the joiner)
 *   busy     2  count (<= 8), count x (peer string <= 128, addrs)
 *   ping     3  D
 *   pong     4  D, peer string (<= 128), addrs, degree (u8: the responder's neighbour count)
 *   query    5  D, count (1..8), count x keyword string (1..64 bytes), flags (u8: 1 minSize, 2 maxSize),
 *                [minSize varint], [maxSize varint]
 *   hit      6  D, responder string (<= 128), addrs, count (<= 64), count x file:
 *                (link string <= 128, name string <= 255, size varint, flags u8 (1: tags),
 *                 [tag count <= 8, tag strings <= 32])
 *   bye      7  reason string (<= 128)
 */
export function encodeSearchMsg (m: SearchMsg): Uint8Array {
  const w = new ByteWriter(64)
  w.u8(TYPES.indexOf(m.type))
  switch (m.type) {
    case 'hello':
    case 'welcome': writeAddrs(w, m.addrs); w.u8(m.degree); break
    case 'busy':
      w.varint(m.try.length)
      for (const p of m.try) { w.string(p.peer); writeAddrs(w, p.addrs) }
      break
    case 'ping': writeHeader(w, m); break
    case 'pong': writeHeader(w, m); w.string(m.peer); writeAddrs(w, m.addrs); w.u8(m.degree); break
    case 'query': {
      writeHeader(w, m)
      w.varint(m.keywords.length)
      for (const k of m.keywords) w.string(k)
      const flags = (m.minSize !== undefined ? FILTER_MIN_SIZE : 0) | (m.maxSize !== undefined ? FILTER_MAX_SIZE : 0)
      w.u8(flags)
      if (m.minSize !== undefined) w.varint(m.minSize)
      if (m.maxSize !== undefined) w.varint(m.maxSize)
      break
    }
    case 'hit':
      writeHeader(w, m)
      w.string(m.responder)
      writeAddrs(w, m.addrs)
      w.varint(m.results.length)
      for (const f of m.results) {
        w.string(f.link).string(f.name).varint(f.size)
        const tags = f.tags ?? []
        w.u8(tags.length > 0 ? FILE_HAS_TAGS : 0)
        if (tags.length > 0) { w.varint(tags.length); for (const t of tags) w.string(t) }
      }
      break
    case 'bye': w.string(m.reason); break
  }
  return w.finish()
}

export function decodeSearchMsg (bytes: Uint8Array): SearchMsg {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new WireError('oversized', `search message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`)
  const r = new ByteReader(bytes, 'search message')
  const tag = r.u8('type')
  const type = TYPES[tag]
  let m: SearchMsg
  switch (type) {
    case 'hello':
    case 'welcome': m = { type, addrs: readAddrs(r), degree: r.u8('degree') }; break
    case 'busy': {
      const n = r.varint('try count', MAX_TRY_PEERS)
      const peers: PeerInfo[] = []
      for (let i = 0; i < n; i++) peers.push({ peer: readPeer(r, 'try peer'), addrs: readAddrs(r) })
      m = { type, try: peers }
      break
    }
    case 'ping': m = { type, ...readHeader(r) }; break
    case 'pong': {
      const h = readHeader(r)
      m = { type, ...h, peer: readPeer(r, 'pong peer'), addrs: readAddrs(r), degree: r.u8('degree') }
      break
    }
    case 'query': {
      const h = readHeader(r)
      const n = r.varint('keyword count', MAX_KEYWORDS)
      if (n === 0) throw new WireError('invalid', 'search message: query without keywords', { field: 'keywords' })
      const keywords: string[] = []
      for (let i = 0; i < n; i++) {
        const k = r.string('keyword', MAX_KEYWORD_BYTES)
        if (k.length === 0) throw new WireError('invalid', 'search message: empty keyword', { field: 'keyword' })
        keywords.push(k)
      }
      const flags = r.u8('filter flags')
      if ((flags & ~(FILTER_MIN_SIZE | FILTER_MAX_SIZE)) !== 0) throw new WireError('invalid', `search message: unknown filter flags ${flags}`, { field: 'flags' })
      const q: QueryMsg = { type, ...h, keywords }
      if ((flags & FILTER_MIN_SIZE) !== 0) q.minSize = r.varint('minSize')
      if ((flags & FILTER_MAX_SIZE) !== 0) q.maxSize = r.varint('maxSize')
      m = q
      break
    }
    case 'hit': {
      const h = readHeader(r)
      const responder = readPeer(r, 'responder')
      const addrs = readAddrs(r)
      const n = r.varint('result count', MAX_RESULTS_PER_HIT_LIMIT)
      const results: SharedFileInfo[] = []
      for (let i = 0; i < n; i++) {
        const link = r.string('link', MAX_LINK_BYTES)
        const name = r.string('name', MAX_NAME_BYTES)
        const size = r.varint('size')
        const flags = r.u8('file flags')
        if ((flags & ~FILE_HAS_TAGS) !== 0) throw new WireError('invalid', `search message: unknown file flags ${flags}`, { field: 'file flags' })
        const f: SharedFileInfo = { link, name, size }
        if ((flags & FILE_HAS_TAGS) !== 0) {
          const tn = r.varint('tag count', MAX_TAGS)
          f.tags = []
          for (let j = 0; j < tn; j++) f.tags.push(r.string('tag', MAX_TAG_BYTES))
        }
        results.push(f)
      }
      m = { type, ...h, responder, addrs, results }
      break
    }
    case 'bye': m = { type, reason: r.string('reason', MAX_REASON_BYTES) }; break
    default: throw new WireError('unknown-type', `search message type ${tag} unknown`, { tag })
  }
  r.end()
  return m
}

function writeHeader (w: ByteWriter, d: Descriptor): void {
  if (!Number.isInteger(d.ttl) || d.ttl < 0 || d.ttl > 255 || !Number.isInteger(d.hops) || d.hops < 0 || d.hops > 255) {
    throw new WireError('invalid', `descriptor ttl/hops out of range: ttl=${d.ttl} hops=${d.hops}`)
  }
  w.raw(guidToBytes(d.guid)).u8(d.ttl).u8(d.hops)
}

function readHeader (r: ByteReader): Descriptor {
  const guid = guidFromBytes(r.raw(GUID_BYTES, 'guid'))
  return { guid, ttl: r.u8('ttl'), hops: r.u8('hops') }
}

const utf8 = new TextEncoder()
const fits = (s: string, max: number): boolean => s.length > 0 && utf8.encode(s).length <= max

/** Addresses as sent: those within the wire limits, at most MAX_ADDRS (a peer never sends what peers would reject). */
export function wireAddrs (addrs: readonly string[]): string[] {
  return addrs.filter(a => fits(a, MAX_ADDR_BYTES)).slice(0, MAX_ADDRS)
}

/**
 * A shared file as a QueryHit can carry it: undefined when its name or link exceeds the
 * wire limits (it cannot be announced), tags trimmed to the limits otherwise.
 */
export function wireFile (f: SharedFileInfo): SharedFileInfo | undefined {
  if (!fits(f.link, MAX_LINK_BYTES) || !fits(f.name, MAX_NAME_BYTES) || !Number.isSafeInteger(f.size) || f.size < 0) return undefined
  const tags = (f.tags ?? []).filter(t => fits(t, MAX_TAG_BYTES)).slice(0, MAX_TAGS)
  return tags.length > 0 ? { link: f.link, name: f.name, size: f.size, tags } : { link: f.link, name: f.name, size: f.size }
}

function writeAddrs (w: ByteWriter, addrs: string[]): void {
  const list = wireAddrs(addrs)
  w.varint(list.length)
  for (const a of list) w.string(a)
}

function readAddrs (r: ByteReader): string[] {
  const n = r.varint('addr count', MAX_ADDRS)
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(r.string('addr', MAX_ADDR_BYTES))
  return out
}

function readPeer (r: ByteReader, field: string): PeerKey {
  const s = r.string(field, MAX_PEER_ID_BYTES)
  if (s.length === 0) throw new WireError('invalid', `search message: empty ${field}`, { field })
  return asPeerKey(s)
}

export const searchCodec: Codec<SearchMsg> = { encode: encodeSearchMsg, decode: decodeSearchMsg }

export const searchWire: WireProtocol<SearchMsg> = {
  id: SEARCH_PROTOCOL_ID,
  codec: searchCodec,
  maxMessageBytes: MAX_MESSAGE_BYTES
}
