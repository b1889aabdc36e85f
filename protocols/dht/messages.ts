import { WireError } from '../../node/errors.ts'
import { asPeerKey, type PeerKey } from '../../node/ports/net.ts'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import type { Codec, WireProtocol } from '../../node/wire/codec.ts'
import {
  DHT_PROTOCOL_ID, MAX_ADDR_BYTES, MAX_ADDRS_PER_PEER, MAX_KEY_BYTES, MAX_MESSAGE_BYTES, MAX_NODES_PER_MESSAGE,
  MAX_OFFER_ITEMS, MAX_PEER_KEY_BYTES, MAX_VALUE_BYTES_LIMIT
} from './constants.ts'

/**
 * The DHT's RPCs. Every request goes through `net.request` and gets exactly one response
 * type (or a remote error). Peers are named by key and addresses; the receiver derives
 * ring ids itself (it never trusts a sender's id).
 *
 * Common field encodings (ByteWriter):
 *   node    = string peer (<= 128 B), varint n (<= 8), n x string addr (<= 256 B each)
 *   nodes   = varint count (<= 64), count x node
 *   key     = string (<= 512 B UTF-8)
 *   ringKey = bytes (<= 32 B, big-endian ring id of the configured width)
 *   record  = key, varint ver, bytes value (<= 256 KiB)
 * Each message starts with a u8 tag; the decoder checks every length and r.end().
 */
export interface WireNode {
  peer: PeerKey
  addrs: string[]
}

export interface WireRecord {
  key: string
  /** Owner-assigned version; the higher wins on replicas. */
  ver: number
  value: Uint8Array
}

export type DhtMsg =
  /** tag 0: liveness. Response: pong. Layout: tag. */
  | { type: 'ping' }
  /** tag 1. Layout: tag. */
  | { type: 'pong' }
  /** tag 2: stabilize reads the successor's predecessor and list. Response: state. Layout: tag. */
  | { type: 'get-state' }
  /** tag 3. Layout: tag, bool hasPred, [node pred], nodes succs. */
  | { type: 'state', pred?: WireNode, succs: WireNode[] }
  /** tag 4: Zave's rectify ("I think I am your predecessor"). Response: ack. Layout: tag, node. */
  | { type: 'rectify', node: WireNode }
  /** tag 5. Layout: tag. */
  | { type: 'ack' }
  /** tag 6: one lookup step. Response: step. Layout: tag, ringKey. */
  | { type: 'find', key: Uint8Array }
  /** tag 7. Layout: tag, bool done, nodes. */
  | { type: 'step', done: boolean, nodes: WireNode[] }
  /** tag 8: store at the owner, which replicates. Response: put-ok. Layout: tag, key, bytes value. */
  | { type: 'put', key: string, value: Uint8Array }
  /** tag 9. Layout: tag, varint replicas (copies acknowledged besides the owner). */
  | { type: 'put-ok', replicas: number }
  /** tag 10. Response: value. Layout: tag, key. */
  | { type: 'get', key: string }
  /** tag 11. Layout: tag, bool found, [varint ver, bytes value]. */
  | { type: 'value', found: boolean, ver: number, value?: Uint8Array }
  /** tag 12: owner -> replica (and handover). Response: ack. Layout: tag, varint n (<= 1024), n x record. */
  | { type: 'replicate', records: WireRecord[] }
  /** tag 13: repair digest. Response: want. Layout: tag, varint n (<= 1024), n x (key, varint ver). */
  | { type: 'offer', items: Array<{ key: string, ver: number }> }
  /** tag 14. Layout: tag, varint n (<= 1024), n x key. */
  | { type: 'want', keys: string[] }
  /** tag 15: provider record. Response: ack. Layout: tag, key, node provider, varint ttlMs, bool forward. */
  | { type: 'add-provider', key: string, provider: WireNode, ttlMs: number, forward: boolean }
  /** tag 16. Response: providers. Layout: tag, key, varint limit (<= 64). */
  | { type: 'get-providers', key: string, limit: number }
  /** tag 17. Layout: tag, nodes. */
  | { type: 'providers', providers: WireNode[] }
  /** tag 18: graceful leave, one-way, to predecessor and successor. Layout: tag, bool hasPred, [node], nodes succs. */
  | { type: 'leave', pred?: WireNode, succs: WireNode[] }
  /**
   * tag 19: one-way, from a member to a peer that names it as successor: "a closer
   * predecessor just reached me (it displaced you, or you were not the closest), stabilize
   * now". Only a hint: the receiver re-reads the state itself. Layout: tag.
   */
  | { type: 'nudge' }
  /** tag 20: a joiner asks its successor for routing hints. Response: fingers. Layout: tag. */
  | { type: 'get-fingers' }
  /** tag 21: the member's distinct fingers and successors, as hints. Layout: tag, nodes. */
  | { type: 'fingers', nodes: WireNode[] }

const TAGS = ['ping', 'pong', 'get-state', 'state', 'rectify', 'ack', 'find', 'step', 'put', 'put-ok', 'get', 'value',
  'replicate', 'offer', 'want', 'add-provider', 'get-providers', 'providers', 'leave', 'nudge', 'get-fingers', 'fingers'] as const

/** Max ring id bytes (256-bit ids). */
const MAX_RING_KEY_BYTES = 32

function writeNode (w: ByteWriter, n: WireNode): void {
  if (n.addrs.length > MAX_ADDRS_PER_PEER) throw new WireError('oversized', `dht: ${n.addrs.length} addresses > ${MAX_ADDRS_PER_PEER}`)
  w.string(n.peer).varint(n.addrs.length)
  for (const a of n.addrs) w.string(a)
}

function writeNodes (w: ByteWriter, ns: readonly WireNode[]): void {
  if (ns.length > MAX_NODES_PER_MESSAGE) throw new WireError('oversized', `dht: ${ns.length} peers > ${MAX_NODES_PER_MESSAGE}`)
  w.varint(ns.length)
  for (const n of ns) writeNode(w, n)
}

function readNode (r: ByteReader): WireNode {
  const peer = r.string('peer', MAX_PEER_KEY_BYTES)
  if (peer === '') throw new WireError('invalid', 'dht: empty peer key', { field: 'peer' })
  const n = r.varint('addrs', MAX_ADDRS_PER_PEER)
  const addrs: string[] = []
  for (let i = 0; i < n; i++) addrs.push(r.string('addr', MAX_ADDR_BYTES))
  return { peer: asPeerKey(peer), addrs }
}

function readNodes (r: ByteReader): WireNode[] {
  const n = r.varint('nodes', MAX_NODES_PER_MESSAGE)
  const out: WireNode[] = []
  for (let i = 0; i < n; i++) out.push(readNode(r))
  return out
}

function readKey (r: ByteReader): string {
  return r.string('key', MAX_KEY_BYTES)
}

export function encodeDht (m: DhtMsg): Uint8Array {
  const w = new ByteWriter()
  w.u8(TAGS.indexOf(m.type))
  switch (m.type) {
    case 'ping': case 'pong': case 'get-state': case 'ack': case 'nudge': case 'get-fingers': break
    case 'state': case 'leave':
      w.bool(m.pred !== undefined)
      if (m.pred !== undefined) writeNode(w, m.pred)
      writeNodes(w, m.succs)
      break
    case 'rectify': writeNode(w, m.node); break
    case 'find':
      if (m.key.length > MAX_RING_KEY_BYTES) throw new WireError('oversized', `dht: ring key of ${m.key.length} bytes`)
      w.bytes(m.key)
      break
    case 'step': w.bool(m.done); writeNodes(w, m.nodes); break
    case 'put': w.string(m.key).bytes(m.value); break
    case 'put-ok': w.varint(m.replicas); break
    case 'get': w.string(m.key); break
    case 'value':
      w.bool(m.found)
      if (m.found) w.varint(m.ver).bytes(m.value ?? new Uint8Array())
      break
    case 'replicate':
      if (m.records.length > MAX_OFFER_ITEMS) throw new WireError('oversized', `dht: ${m.records.length} records in one batch`)
      w.varint(m.records.length)
      for (const rec of m.records) w.string(rec.key).varint(rec.ver).bytes(rec.value)
      break
    case 'offer':
      if (m.items.length > MAX_OFFER_ITEMS) throw new WireError('oversized', `dht: ${m.items.length} offer items`)
      w.varint(m.items.length)
      for (const it of m.items) w.string(it.key).varint(it.ver)
      break
    case 'want':
      if (m.keys.length > MAX_OFFER_ITEMS) throw new WireError('oversized', `dht: ${m.keys.length} wanted keys`)
      w.varint(m.keys.length)
      for (const k of m.keys) w.string(k)
      break
    case 'add-provider': w.string(m.key); writeNode(w, m.provider); w.varint(m.ttlMs).bool(m.forward); break
    case 'get-providers': w.string(m.key).varint(m.limit); break
    case 'providers': writeNodes(w, m.providers); break
    case 'fingers': writeNodes(w, m.nodes); break
  }
  return w.finish()
}

export function decodeDht (bytes: Uint8Array): DhtMsg {
  const r = new ByteReader(bytes, 'dht message')
  const tag = r.u8('tag')
  const type = TAGS[tag]
  let m: DhtMsg
  switch (type) {
    case 'ping': case 'pong': case 'get-state': case 'ack': case 'nudge': case 'get-fingers': m = { type }; break
    case 'state': case 'leave': {
      const pred = r.bool('hasPred') ? readNode(r) : undefined
      const succs = readNodes(r)
      m = pred !== undefined ? { type, pred, succs } : { type, succs }
      break
    }
    case 'rectify': m = { type, node: readNode(r) }; break
    case 'find': {
      const key = r.bytes('ringKey', MAX_RING_KEY_BYTES)
      if (key.length === 0) throw new WireError('invalid', 'dht: empty ring key', { field: 'ringKey' })
      m = { type, key: key.slice() }
      break
    }
    case 'step': { const done = r.bool('done'); m = { type, done, nodes: readNodes(r) }; break }
    case 'put': { const key = readKey(r); m = { type, key, value: r.bytes('value', MAX_VALUE_BYTES_LIMIT).slice() }; break }
    case 'put-ok': m = { type, replicas: r.varint('replicas', MAX_NODES_PER_MESSAGE) }; break
    case 'get': m = { type, key: readKey(r) }; break
    case 'value': {
      const found = r.bool('found')
      m = found ? { type, found, ver: r.varint('ver'), value: r.bytes('value', MAX_VALUE_BYTES_LIMIT).slice() } : { type, found, ver: 0 }
      break
    }
    case 'replicate': {
      const n = r.varint('records', MAX_OFFER_ITEMS)
      const records: WireRecord[] = []
      for (let i = 0; i < n; i++) records.push({ key: readKey(r), ver: r.varint('ver'), value: r.bytes('value', MAX_VALUE_BYTES_LIMIT).slice() })
      m = { type, records }
      break
    }
    case 'offer': {
      const n = r.varint('items', MAX_OFFER_ITEMS)
      const items: Array<{ key: string, ver: number }> = []
      for (let i = 0; i < n; i++) items.push({ key: readKey(r), ver: r.varint('ver') })
      m = { type, items }
      break
    }
    case 'want': {
      const n = r.varint('keys', MAX_OFFER_ITEMS)
      const keys: string[] = []
      for (let i = 0; i < n; i++) keys.push(readKey(r))
      m = { type, keys }
      break
    }
    case 'add-provider': {
      const key = readKey(r)
      const provider = readNode(r)
      m = { type, key, provider, ttlMs: r.varint('ttlMs'), forward: r.bool('forward') }
      break
    }
    case 'get-providers': m = { type, key: readKey(r), limit: r.varint('limit', MAX_NODES_PER_MESSAGE) }; break
    case 'providers': m = { type, providers: readNodes(r) }; break
    case 'fingers': m = { type, nodes: readNodes(r) }; break
    default: throw new WireError('unknown-type', `dht: unknown message tag ${tag}`, { tag })
  }
  r.end()
  return m
}

export const dhtCodec: Codec<DhtMsg> = { encode: encodeDht, decode: decodeDht }

export const dhtWire: WireProtocol<DhtMsg> = { id: DHT_PROTOCOL_ID, codec: dhtCodec, maxMessageBytes: MAX_MESSAGE_BYTES }
