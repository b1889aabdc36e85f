import type { PeerKey } from '../../node/ports/net.ts'
import type { Random } from '../../node/ports/random.ts'
import type { Link } from './manifest.ts'

export interface TrackedPeer {
  peer: PeerKey
  addrs: string[]
  seed: boolean
  expiresAt: number
}

/**
 * A tracker's memory: per link, the peers that announced it, each forgotten `ttlMs` after
 * its last announce. Pure state; the actor feeds it announces and the clock.
 */
export class TrackerTable {
  private readonly swarms = new Map<Link, Map<PeerKey, TrackedPeer>>()
  private readonly ttlMs: number

  constructor (ttlMs: number) {
    this.ttlMs = ttlMs
  }

  /**
   * Record an announce and return up to `numwant` other live peers of that link, at random;
   * to a seed only leechers, as BitTorrent trackers do: a seed has nothing to fetch, and
   * seeds named to seeds took the places in each other's swarms that leechers needed.
   */
  announce (link: Link, peer: PeerKey, addrs: string[], seed: boolean, now: number, numwant: number, random: Random): TrackedPeer[] {
    let s = this.swarms.get(link)
    if (s === undefined) { s = new Map(); this.swarms.set(link, s) }
    s.set(peer, { peer, addrs, seed, expiresAt: now + this.ttlMs })
    return this.peers(link, now, numwant, random, peer, seed)
  }

  peers (link: Link, now: number, numwant: number, random: Random, except?: PeerKey, leechersOnly = false): TrackedPeer[] {
    const s = this.swarms.get(link)
    if (s === undefined) return []
    const live: TrackedPeer[] = []
    for (const [k, p] of s) {
      if (p.expiresAt <= now) s.delete(k)
      else if (k !== except && !(leechersOnly && p.seed)) live.push(p)
    }
    if (s.size === 0) this.swarms.delete(link)
    return random.shuffle(live).slice(0, numwant)
  }

  /** Drop every expired entry (called periodically so idle links do not linger). */
  expire (now: number): void {
    for (const [link, s] of this.swarms) {
      for (const [k, p] of s) if (p.expiresAt <= now) s.delete(k)
      if (s.size === 0) this.swarms.delete(link)
    }
  }

  get size (): number {
    let n = 0
    for (const s of this.swarms.values()) n += s.size
    return n
  }

  links (): number {
    return this.swarms.size
  }
}
