import type { PeerKey } from '../../node/ports/net.ts'

/**
 * Which supernode a child attaches to next: the known supernodes not in back-off,
 * preferring ones already connected (no dial needed), then the fewest recent failures.
 */
export interface Candidate {
  peer: PeerKey
  addrs: string[]
  connected: boolean
  failures: number
  /** Not tried again before this time (after a failure or loss). */
  retryAt: number
}

export function pickSupernode (candidates: readonly Candidate[], now: number, exclude?: PeerKey): Candidate | undefined {
  const ready = candidates.filter(c => c.peer !== exclude && c.retryAt <= now && (c.connected || c.addrs.length > 0))
  ready.sort((a, b) => Number(b.connected) - Number(a.connected) || a.failures - b.failures || (a.peer < b.peer ? -1 : 1))
  return ready[0]
}

/** Exponential back-off after failures, capped: a lost supernode is retried, not forgotten. */
export function backoffMs (failures: number, baseMs: number, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1))
}
