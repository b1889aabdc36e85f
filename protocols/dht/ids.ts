import { createHash } from 'node:crypto'
import { PEER_ID_MEMO_ENTRIES } from './constants.ts'
import { BoundedMemo } from '../../node/bounded-memo.ts'

/**
 * The identifier ring: 2^bits ids, bigint arithmetic so any width up to SHA-256's 256
 * bits works, and small widths (3, 4, 5 bits) make rings a person can check by hand.
 */
declare const ringIdBrand: unique symbol
export type RingId = bigint & { readonly [ringIdBrand]: true }

export interface RingSpace {
  readonly bits: number
  /** 2^bits. */
  readonly size: bigint
  /** Bytes of an id on the wire: ceil(bits / 8). */
  readonly bytes: number
}

export function ringSpace (bits: number): RingSpace {
  if (!Number.isInteger(bits) || bits < 1 || bits > 256) throw new RangeError(`ring bits must be an integer in 1..256, got ${bits}`)
  return { bits, size: 1n << BigInt(bits), bytes: Math.ceil(bits / 8) }
}

/** An id from a number or bigint, reduced onto the ring. */
export function ringId (space: RingSpace, v: bigint | number): RingId {
  const b = BigInt(v) % space.size
  return (b < 0n ? b + space.size : b) as RingId
}

const enc = new TextEncoder()

/** SHA-256 of the input, truncated to the ring's top `bits` bits. */
export function hashId (space: RingSpace, data: string | Uint8Array): RingId {
  const digest = createHash('sha256').update(typeof data === 'string' ? enc.encode(data) : data).digest('hex')
  return (BigInt('0x' + digest) >> BigInt(256 - space.bits)) as RingId
}

/**
 * Peer ids a process has hashed, shared by every member in it (a pure function's memo, so
 * sharing changes nothing but cost): a 10,000-peer simulation hashes each peer once
 * instead of once per member that meets it, and keeps one copy of each id.
 */
const peerIds = new Map<number, BoundedMemo<string, RingId>>()

/** hashId of a peer key, memoised (one map per ring width: a `${bits}/${peer}` key cost a concatenation and its hashing per call). */
export function peerRingId (space: RingSpace, peer: string): RingId {
  let ids = peerIds.get(space.bits)
  if (ids === undefined) { ids = new BoundedMemo(PEER_ID_MEMO_ENTRIES); peerIds.set(space.bits, ids) }
  return ids.get(peer) ?? ids.set(peer, hashId(space, peer))
}

/** (a + b) mod 2^bits. */
export function addId (space: RingSpace, a: RingId, b: bigint): RingId {
  return ((a + b) % space.size) as RingId
}

/** Clockwise distance from `from` to `to`, in [0, 2^bits). */
export function distance (space: RingSpace, from: RingId, to: RingId): bigint {
  const d = to - from
  return d < 0n ? d + space.size : d
}

/** x in the open arc (a, b) going clockwise; when a == b the arc is the whole ring but a. */
export function inOpen (space: RingSpace, x: RingId, a: RingId, b: RingId): boolean {
  const dx = distance(space, a, x)
  if (a === b) return dx !== 0n
  return dx > 0n && dx < distance(space, a, b)
}

/** x in the half-open arc (a, b]; when a == b the arc is the whole ring. */
export function inOpenClosed (space: RingSpace, x: RingId, a: RingId, b: RingId): boolean {
  if (a === b) return true
  const dx = distance(space, a, x)
  return dx > 0n && dx <= distance(space, a, b)
}

/** Big-endian, `space.bytes` long. */
export function idToBytes (space: RingSpace, id: RingId): Uint8Array {
  const out = new Uint8Array(space.bytes)
  let v: bigint = id
  for (let i = space.bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

/** Inverse of idToBytes; undefined when the value does not fit the ring. */
export function idFromBytes (space: RingSpace, b: Uint8Array): RingId | undefined {
  if (b.length !== space.bytes) return undefined
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  return v < space.size ? v as RingId : undefined
}

/** Fixed-width hex, so ids sort and compare as strings too. */
export function idToHex (space: RingSpace, id: RingId): string {
  return id.toString(16).padStart(Math.ceil(space.bits / 4), '0')
}

export function idFromHex (space: RingSpace, hex: string): RingId | undefined {
  if (!/^[0-9a-f]+$/i.test(hex)) return undefined
  const v = BigInt('0x' + hex)
  return v < space.size ? v as RingId : undefined
}
