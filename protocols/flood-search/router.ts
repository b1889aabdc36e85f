import type { PeerKey } from '../../node/ports/net.ts'
import type { GuidCache } from './guid-cache.ts'
import type { Descriptor } from './messages.ts'

/** The previous hop of a descriptor this peer originated. */
export const LOCAL = 'local'
export type PrevHop = PeerKey | typeof LOCAL

/** The reverse-path entry of one GUID: where it came from, and replies relayed back along it. */
export interface RouteEntry {
  prev: PrevHop
  relayed: number
}

export type FloodDrop = 'duplicate' | 'expired' | 'rate-limited'

export type FloodDecision<D extends Descriptor> =
  | { action: 'drop', reason: FloodDrop }
  | {
    action: 'accept'
    /** The descriptor as this peer handles it (TTL clamped). */
    msg: D
    /** True when the incoming TTL was above the maximum. */
    clamped: boolean
    /** Copies to send on: every neighbour but the source, TTL - 1 and hops + 1; empty at the horizon. */
    forward: { to: PeerKey[], msg: D }
  }

/**
 * Route a flooded descriptor (Ping or Query) that arrived from `from`. Order matters: a
 * duplicate is dropped before it costs a token, and a rate-limited descriptor is not
 * remembered, so the same query arriving later from an honest neighbour still goes through.
 * On accept the GUID is recorded with `from` as its reverse path.
 */
export function routeFlood<D extends Descriptor> (
  table: GuidCache<RouteEntry>,
  from: PeerKey,
  msg: D,
  neighbours: readonly PeerKey[],
  now: number,
  maxTtl: number,
  allow: () => boolean = () => true
): FloodDecision<D> {
  if (msg.ttl < 1) return { action: 'drop', reason: 'expired' }
  if (table.has(msg.guid, now)) return { action: 'drop', reason: 'duplicate' }
  if (!allow()) return { action: 'drop', reason: 'rate-limited' }
  table.add(msg.guid, { prev: from, relayed: 0 }, now)
  const clamped = msg.ttl > maxTtl
  const handled = clamped ? { ...msg, ttl: maxTtl } : msg
  const to = handled.ttl > 1 ? neighbours.filter(n => n !== from) : []
  return {
    action: 'accept',
    msg: handled,
    clamped,
    forward: { to, msg: { ...handled, ttl: handled.ttl - 1, hops: Math.min(255, handled.hops + 1) } }
  }
}

/** TTL of a reply to a descriptor that arrived with `hops`: exactly the hops back to its origin. */
export function replyTtl (requestHops: number): number {
  return Math.min(255, requestHops + 1)
}

export type ReplyDecision<R extends Descriptor> =
  | { action: 'deliver' }
  | { action: 'forward', to: PeerKey, msg: R }
  | { action: 'drop', reason: 'unknown-guid' | 'expired' }

/**
 * Route a reply (Pong or QueryHit) back along the reverse path: to the hop its request came
 * from, or to the local caller when this peer sent the request. A reply for a GUID this
 * peer never forwarded (or forgot) is dropped: replies are never flooded.
 */
export function routeReply<R extends Descriptor> (table: GuidCache<RouteEntry>, msg: R, now: number, maxTtl: number): ReplyDecision<R> {
  const entry = table.get(msg.guid, now)
  if (entry === undefined) return { action: 'drop', reason: 'unknown-guid' }
  if (entry.prev === LOCAL) return { action: 'deliver' }
  const ttl = Math.min(msg.ttl, maxTtl + 1)
  if (ttl - 1 < 1) return { action: 'drop', reason: 'expired' }
  entry.relayed++
  return { action: 'forward', to: entry.prev, msg: { ...msg, ttl: ttl - 1, hops: Math.min(255, msg.hops + 1) } }
}
