import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import type { Codec, WireProtocol } from '../../node/wire/codec.ts'
import { WireError } from '../../node/errors.ts'
import { CHUNKS_PROTOCOL_ID, MAX_BLOCK_SIZE, MAX_CHUNKS, MAX_MANIFEST_BYTES, MAX_CHUNK_SIZE } from './constants.ts'
import { linkFromBytes, linkToBytes, type Link } from './manifest.ts'

/**
 * The chunk-exchange wire union. One libp2p stream per peer carries every swarm the two
 * peers share, so swarm messages name the swarm by `sid`: a small number the *sender*
 * chose for that swarm and announced in its `handshake` (which always precedes them on
 * the ordered channel). `manifest-get` and `announce` ride the envelope's request kind;
 * the manifest itself travels on a bulk stream whose header is `manifest`
 * (manifest-transfer.ts).
 */
export type ChunkMsg =
  | { type: 'handshake', sid: number, link: Link }
  | { type: 'bitfield', sid: number, bits: Uint8Array }
  | { type: 'have', sid: number, index: number }
  | { type: 'interested', sid: number }
  | { type: 'not-interested', sid: number }
  | { type: 'choke', sid: number }
  | { type: 'unchoke', sid: number }
  | { type: 'request', sid: number, index: number, begin: number, length: number }
  | { type: 'piece', sid: number, index: number, begin: number, data: Uint8Array }
  | { type: 'cancel', sid: number, index: number, begin: number, length: number }
  | { type: 'keepalive' }
  | { type: 'leave', sid: number }
  | { type: 'manifest-get', link: Link }
  | { type: 'manifest', link: Link, size: number }
  /** `want`: how many peers the announcer would like back (BitTorrent's numwant; 0 when its swarm is full). */
  | { type: 'announce', link: Link, seed: boolean, addrs: string[], want: number }
  | { type: 'peers', peers: Array<{ peer: string, addrs: string[] }> }

export type SwarmMsg = Extract<ChunkMsg, { sid: number }>

const TYPES = ['handshake', 'bitfield', 'have', 'interested', 'not-interested', 'choke', 'unchoke', 'request', 'piece', 'cancel', 'keepalive', 'leave', 'manifest-get', 'manifest', 'announce', 'peers'] as const

/** Session ids are chosen by the sender; 2^31 is far more swarms than a peer runs. */
export const MAX_SID = 2 ** 31 - 1
/** A CID of a manifest is 36 bytes; 64 leaves room for other multihash lengths, none more. */
const MAX_LINK_BYTES = 64
/** Peers in one tracker answer and addresses per peer: bounded so a tracker reply stays small. */
export const MAX_PEERS_PER_REPLY = 200
export const MAX_ADDRS_PER_PEER = 8
const MAX_ADDR_BYTES = 256
const MAX_PEER_ID_BYTES = 128

const varintBytes = (v: number): number => v < 0x80 ? 1 : 1 + varintBytes(Math.floor(v / 0x80))

/**
 * The largest frame: the worst case of each message the decoder accepts, so no valid
 * message is ever refused by the frame limit. A piece (type, sid, index, begin, a
 * MAX_BLOCK_SIZE block) and a full bitfield need about 128 KiB; a tracker's `peers` reply
 * at its decode bounds (200 peers x 8 addresses) needs about 430 KiB and sets the limit.
 * Manifests (up to 2 MiB) go on bulk streams and do not count.
 */
const PIECE_FRAME_BYTES = 1 + varintBytes(MAX_SID) + varintBytes(MAX_CHUNKS - 1) + varintBytes(MAX_CHUNK_SIZE - 1) + MAX_BLOCK_SIZE
const BITFIELD_FRAME_BYTES = 1 + varintBytes(MAX_SID) + varintBytes(MAX_CHUNKS / 8) + MAX_CHUNKS / 8
const ADDR_BYTES = varintBytes(MAX_ADDR_BYTES) + MAX_ADDR_BYTES
const ANNOUNCE_FRAME_BYTES = 1 + varintBytes(MAX_LINK_BYTES) + MAX_LINK_BYTES + 1 + varintBytes(MAX_ADDRS_PER_PEER) + MAX_ADDRS_PER_PEER * ADDR_BYTES + varintBytes(MAX_PEERS_PER_REPLY)
const PEERS_FRAME_BYTES = 1 + varintBytes(MAX_PEERS_PER_REPLY) +
  MAX_PEERS_PER_REPLY * (varintBytes(MAX_PEER_ID_BYTES) + MAX_PEER_ID_BYTES + varintBytes(MAX_ADDRS_PER_PEER) + MAX_ADDRS_PER_PEER * ADDR_BYTES)
export const MAX_MESSAGE_BYTES = Math.max(PIECE_FRAME_BYTES, BITFIELD_FRAME_BYTES, ANNOUNCE_FRAME_BYTES, PEERS_FRAME_BYTES)

/**
 * Byte layouts (after the envelope). Every message starts with one type byte, the index
 * of its type in TYPES; integers are unsigned LEB128 varints; `bytes`/`string` are
 * varint-length-prefixed.
 *
 *   handshake       0  sid, link (CID bytes, <= 64)
 *   bitfield        1  sid, bits (bytes, <= MAX_CHUNKS/8; exact length checked against the manifest)
 *   have            2  sid, index
 *   interested      3  sid
 *   not-interested  4  sid
 *   choke           5  sid
 *   unchoke         6  sid
 *   request         7  sid, index, begin, length (<= MAX_BLOCK_SIZE)
 *   piece           8  sid, index, begin, data (raw, rest of the frame, 1..MAX_BLOCK_SIZE bytes)
 *   cancel          9  sid, index, begin, length
 *   keepalive      10  (nothing)
 *   leave          11  sid
 *   manifest-get   12  link
 *   manifest       13  link, size (<= MAX_MANIFEST_BYTES): header of the bulk stream carrying
 *                      the sealed manifest bytes, and the answer to manifest-get once they arrived
 *   announce       14  link, seed (u8 0/1), count, count x addr string, want (<= 200)
 *   peers          15  count (<= 200), count x (peer string, addr count (<= 8), addr strings)
 */
export function encodeChunkMsg (m: ChunkMsg): Uint8Array {
  const w = new ByteWriter(m.type === 'piece' ? m.data.length + 24 : 48)
  w.u8(TYPES.indexOf(m.type))
  switch (m.type) {
    case 'handshake': w.varint(m.sid).bytes(linkToBytes(m.link)); break
    case 'bitfield': w.varint(m.sid).bytes(m.bits); break
    case 'have': w.varint(m.sid).varint(m.index); break
    case 'interested':
    case 'not-interested':
    case 'choke':
    case 'unchoke':
    case 'leave': w.varint(m.sid); break
    case 'request':
    case 'cancel': w.varint(m.sid).varint(m.index).varint(m.begin).varint(m.length); break
    case 'piece': w.varint(m.sid).varint(m.index).varint(m.begin).raw(m.data); break
    case 'keepalive': break
    case 'manifest-get': w.bytes(linkToBytes(m.link)); break
    case 'manifest': w.bytes(linkToBytes(m.link)).varint(m.size); break
    case 'announce':
      w.bytes(linkToBytes(m.link)).bool(m.seed).varint(m.addrs.length)
      for (const a of m.addrs) w.string(a)
      w.varint(m.want)
      break
    case 'peers':
      w.varint(m.peers.length)
      for (const p of m.peers) {
        w.string(p.peer).varint(p.addrs.length)
        for (const a of p.addrs) w.string(a)
      }
      break
  }
  return w.finish()
}

export function decodeChunkMsg (bytes: Uint8Array): ChunkMsg {
  if (bytes.length > MAX_MESSAGE_BYTES) throw new WireError('oversized', `chunks message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`)
  const r = new ByteReader(bytes, 'chunks message')
  const tag = r.u8('type')
  const type = TYPES[tag]
  if (type === undefined) throw new WireError('unknown-type', `chunks message type ${tag} unknown`, { tag })
  const sid = (): number => r.varint('sid', MAX_SID)
  const index = (): number => r.varint('index', MAX_CHUNKS - 1)
  const begin = (): number => r.varint('begin', MAX_CHUNK_SIZE - 1)
  const link = (): Link => linkFromBytes(r.bytes('link', MAX_LINK_BYTES))
  let m: ChunkMsg
  switch (type) {
    case 'handshake': m = { type, sid: sid(), link: link() }; break
    case 'bitfield': m = { type, sid: sid(), bits: r.bytes('bits', MAX_CHUNKS / 8) }; break
    case 'have': m = { type, sid: sid(), index: index() }; break
    case 'interested':
    case 'not-interested':
    case 'choke':
    case 'unchoke':
    case 'leave': m = { type, sid: sid() }; break
    case 'request':
    case 'cancel': {
      const s = sid(); const i = index(); const b = begin(); const length = r.varint('length', MAX_BLOCK_SIZE)
      if (length === 0) throw new WireError('invalid', `${type}: zero length`)
      m = { type, sid: s, index: i, begin: b, length }
      break
    }
    case 'piece': {
      const s = sid(); const i = index(); const b = begin()
      if (r.remaining === 0) throw new WireError('invalid', 'piece: empty block')
      if (r.remaining > MAX_BLOCK_SIZE) throw new WireError('oversized', `piece: block of ${r.remaining} bytes exceeds ${MAX_BLOCK_SIZE}`)
      m = { type, sid: s, index: i, begin: b, data: r.raw(r.remaining, 'data') }
      break
    }
    case 'keepalive': m = { type }; break
    case 'manifest-get': m = { type, link: link() }; break
    case 'manifest': m = { type, link: link(), size: r.varint('size', MAX_MANIFEST_BYTES) }; break
    case 'announce': {
      const l = link()
      const seed = r.bool('seed')
      const n = r.varint('addr count', MAX_ADDRS_PER_PEER)
      const addrs: string[] = []
      for (let i = 0; i < n; i++) addrs.push(r.string('addr', MAX_ADDR_BYTES))
      m = { type, link: l, seed, addrs, want: r.varint('want', MAX_PEERS_PER_REPLY) }
      break
    }
    case 'peers': {
      const n = r.varint('peer count', MAX_PEERS_PER_REPLY)
      const peers: Array<{ peer: string, addrs: string[] }> = []
      for (let i = 0; i < n; i++) {
        const peer = r.string('peer', MAX_PEER_ID_BYTES)
        const k = r.varint('addr count', MAX_ADDRS_PER_PEER)
        const addrs: string[] = []
        for (let j = 0; j < k; j++) addrs.push(r.string('addr', MAX_ADDR_BYTES))
        peers.push({ peer, addrs })
      }
      m = { type, peers }
      break
    }
  }
  r.end()
  return m
}

/**
 * The same bytes as encodeChunkMsg, as parts: a piece is its header (type, sid, index,
 * begin) and its block, left where it is (a view of the sender's cached chunk), so the
 * block is copied once on its way to the socket; any other message is one part.
 */
export function encodeChunkParts (m: ChunkMsg): Uint8Array[] {
  if (m.type !== 'piece') return [encodeChunkMsg(m)]
  const w = new ByteWriter(16)
  w.u8(TYPES.indexOf(m.type)).varint(m.sid).varint(m.index).varint(m.begin)
  return [w.finish(), m.data]
}

export const chunkCodec: Codec<ChunkMsg> = { encode: encodeChunkMsg, decode: decodeChunkMsg, encodeParts: encodeChunkParts }

export const chunkWire: WireProtocol<ChunkMsg> = {
  id: CHUNKS_PROTOCOL_ID,
  codec: chunkCodec,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxBulkBytes: MAX_MANIFEST_BYTES
}
