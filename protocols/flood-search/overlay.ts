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

/** Whether to accept a neighbour handshake from `peer`. */
export function admit (s: OverlayState, cfg: OverlayConfig, peer: PeerKey): 'accept' | 'refuse' {
  if (peer === s.self) return 'refuse'
  if (s.neighbours.has(peer)) return 'accept'
  return s.neighbours.size < cfg.maxDegree ? 'accept' : 'refuse'
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

export function addNeighbour (s: OverlayState, peer: PeerKey, addrs: string[], now: number): boolean {
  const known = s.neighbours.get(peer)
  if (known !== undefined) {
    known.lastHeard = now
    if (addrs.length > 0) known.addrs = addrs
    return false
  }
  s.neighbours.set(peer, { addrs: addrs.length > 0 ? addrs : s.hosts.get(peer)?.addrs ?? [], since: now, lastHeard: now })
  return true
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
