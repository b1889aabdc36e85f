import type { PeerKey } from '../../node/ports/net.ts'
import type { PeerInfo } from './messages.ts'

/**
 * The overlay: which connected peers are search neighbours, and which other peers we know
 * of (the host cache, filled from Pongs, refusals and connections). Decisions are pure
 * functions of this state and their input; the small mutators below are the only writers.
 */
export interface Neighbour {
  addrs: string[]
  since: number
  /** Last time any message came from it (liveness). */
  lastHeard: number
  /** Its own degree, as it last told us (Hello, Welcome, its Pongs). */
  degree: number
}

export interface Host {
  addrs: string[]
  seen: number
  /** Not dialled again before this (after a failure or a refusal). */
  retryAt: number
}

export interface OverlayState {
  readonly self: PeerKey
  readonly neighbours: Map<PeerKey, Neighbour>
  /** Insertion order is freshness order: re-learning a host moves it to the back. */
  readonly hosts: Map<PeerKey, Host>
  readonly dialing: Set<PeerKey>
}

export interface OverlayConfig {
  targetDegree: number
  maxDegree: number
  hostCacheSize: number
  livenessTimeoutMs: number
  dialBackoffMs: number
  maxParallelDials: number
}

export function newOverlay (self: PeerKey): OverlayState {
  return { self, neighbours: new Map(), hosts: new Map(), dialing: new Set() }
}

export function degree (s: OverlayState): number {
  return s.neighbours.size
}

/**
 * A full peer drops a neighbour for an isolated joiner only if that neighbour keeps at
 * least this many other links: dropping a neighbour whose only link is us would just move
 * the isolation (and the dropped peer, now at degree 0, would claim a slot back: a loop).
 */
export const MAKE_ROOM_MIN_OTHER_LINKS = 2

export type Admission = { kind: 'accept' } | { kind: 'refuse' } | { kind: 'make-room', drop: PeerKey }

/**
 * Whether to accept a neighbour handshake from `peer`, whose own degree is `joinerDegree`
 * (unknown: treat as connected). A full peer makes room for an isolated joiner (degree 0)
 * by dropping one neighbour, picked by `pick`: late joiners in a large overlay otherwise
 * find every known host full and stay out for good. The dropped neighbour is the best
 * connected one (ties broken by `pick`), and only if it keeps MAKE_ROOM_MIN_OTHER_LINKS
 * other links: it stays connected, re-dials one free slot, and never has degree 0, so a
 * drop cannot cascade.
 */
export function admit (s: OverlayState, cfg: OverlayConfig, peer: PeerKey, joinerDegree = 1, pick: (xs: PeerKey[]) => PeerKey = xs => xs[0]): Admission {
  if (peer === s.self) return { kind: 'refuse' }
  if (s.neighbours.has(peer) || s.neighbours.size < cfg.maxDegree) return { kind: 'accept' }
  if (joinerDegree !== 0) return { kind: 'refuse' }
  let best = 0
  for (const n of s.neighbours.values()) best = Math.max(best, n.degree)
  if (best - 1 < MAKE_ROOM_MIN_OTHER_LINKS) return { kind: 'refuse' }
  return { kind: 'make-room', drop: pick([...s.neighbours].filter(([, n]) => n.degree === best).map(([p]) => p)) }
}

/**
 * Candidates to dial now, in the order given by `shuffle` (a random overlay needs random
 * picks). While joining (no neighbour yet) candidates are tried one at a time until one
 * connects; after that, several at once up to the target degree.
 */
export function nextDials (s: OverlayState, cfg: OverlayConfig, now: number, shuffle: <T>(xs: T[]) => T[]): PeerKey[] {
  const missing = cfg.targetDegree - s.neighbours.size - s.dialing.size
  if (missing <= 0) return []
  const slots = s.neighbours.size === 0 ? 1 - s.dialing.size : cfg.maxParallelDials - s.dialing.size
  const n = Math.min(missing, slots)
  if (n <= 0) return []
  const candidates = [...s.hosts].filter(([p, h]) => p !== s.self && !s.neighbours.has(p) && !s.dialing.has(p) && h.retryAt <= now).map(([p]) => p)
  return shuffle(candidates).slice(0, n)
}

/**
 * Whether a join Ping is worth its flood: below the target degree with fewer dialable
 * candidates than open slots. A peer that already knows enough hosts dials them instead;
 * re-pinging would only multiply Pongs (at degree 8, one TTL-3 Ping costs hundreds of
 * messages), and in a large overlay most peers stay just below target for a while.
 */
export function needsAddresses (s: OverlayState, cfg: OverlayConfig, now: number): boolean {
  const missing = cfg.targetDegree - s.neighbours.size - s.dialing.size
  if (missing <= 0) return false
  let dialable = 0
  for (const [p, h] of s.hosts) {
    if (p !== s.self && !s.neighbours.has(p) && !s.dialing.has(p) && h.retryAt <= now && ++dialable >= missing) return false
  }
  return true
}

/** Neighbours silent for longer than the liveness timeout. */
export function silentNeighbours (s: OverlayState, cfg: OverlayConfig, now: number): PeerKey[] {
  return [...s.neighbours].filter(([, n]) => now - n.lastHeard > cfg.livenessTimeoutMs).map(([p]) => p)
}

/** Peers to offer a refused joiner: our neighbours first (known alive), then fresh hosts. */
export function tryList (s: OverlayState, exclude: PeerKey, max: number): PeerInfo[] {
  const out: PeerInfo[] = []
  for (const [peer, n] of s.neighbours) if (peer !== exclude && n.addrs.length > 0) out.push({ peer, addrs: n.addrs })
  const hosts = [...s.hosts].reverse()
  for (const [peer, h] of hosts) {
    if (out.length >= max) break
    if (peer !== exclude && !s.neighbours.has(peer) && h.addrs.length > 0) out.push({ peer, addrs: h.addrs })
  }
  return out.slice(0, max)
}

export function learnHost (s: OverlayState, cfg: OverlayConfig, peer: PeerKey, addrs: string[], now: number): void {
  if (peer === s.self) return
  const old = s.hosts.get(peer)
  s.hosts.delete(peer)
  s.hosts.set(peer, { addrs: addrs.length > 0 ? addrs : old?.addrs ?? [], seen: now, retryAt: old?.retryAt ?? 0 })
  while (s.hosts.size > cfg.hostCacheSize) s.hosts.delete(s.hosts.keys().next().value as PeerKey)
}

/** `degree` is the neighbour's own, as it reported it (counting us once we are linked). */
export function addNeighbour (s: OverlayState, peer: PeerKey, addrs: string[], now: number, degree = 1): boolean {
  const known = s.neighbours.get(peer)
  if (known !== undefined) {
    known.lastHeard = now
    known.degree = degree
    if (addrs.length > 0) known.addrs = addrs
    return false
  }
  s.neighbours.set(peer, { addrs: addrs.length > 0 ? addrs : s.hosts.get(peer)?.addrs ?? [], since: now, lastHeard: now, degree })
  return true
}

/** A neighbour told us its degree (its Pong). */
export function heardDegree (s: OverlayState, peer: PeerKey, degree: number): void {
  const n = s.neighbours.get(peer)
  if (n !== undefined) n.degree = degree
}

export function removeNeighbour (s: OverlayState, peer: PeerKey): boolean {
  return s.neighbours.delete(peer)
}

export function heard (s: OverlayState, peer: PeerKey, now: number): void {
  const n = s.neighbours.get(peer)
  if (n !== undefined) n.lastHeard = now
}

/** A dial failed or was refused: rest the candidate for a while. */
export function backOff (s: OverlayState, peer: PeerKey, now: number, ms: number): void {
  const h = s.hosts.get(peer)
  if (h !== undefined) h.retryAt = now + ms
}
