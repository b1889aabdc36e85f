import type { PeerKey } from '../../node/ports/net.ts'
import type { Random } from '../../node/ports/random.ts'
import { MANIFEST_FETCHES_AT_ONCE } from './constants.ts'

/**
 * Whom a download still without its manifest asks for it, and in what order. Pure state;
 * the actor feeds it the peers it hears of and asks `next` whom to ask now.
 *
 * One peer at a time (MANIFEST_FETCHES_AT_ONCE), a proven holder first: a peer that sent us
 * a handshake for the link has its manifest, any other peer may not. Asking every listed
 * peer at once (a tracker lists 50) cost 50 requests per newcomer, each one a round of
 * errors, and whenever two holders answered, a manifest's bytes twice.
 * Each peer is asked once per round; the actor starts a new round after a backoff once
 * everyone was asked and failed.
 */
export class ManifestSources {
  private readonly known = new Map<PeerKey, string[]>()
  private readonly holders = new Set<PeerKey>()
  private asked = new Set<PeerKey>()
  private readonly inFlight = new Set<PeerKey>()
  private busy = false

  /** A peer that may have the manifest (`holder`: it proved it has it); its addresses if known. */
  add (peer: PeerKey, addrs: string[] = [], holder = false): void {
    const had = this.known.get(peer)
    if (had === undefined || (had.length === 0 && addrs.length > 0)) this.known.set(peer, addrs)
    if (holder) this.holders.add(peer)
  }

  /** A peer gone for good (banned): never asked again. */
  remove (peer: PeerKey): void {
    this.known.delete(peer)
    this.holders.delete(peer)
  }

  /**
   * The peer to ask now, or undefined when MANIFEST_FETCHES_AT_ONCE are out or everyone
   * known was asked this round. Holders first, in the order they proved it; then the others
   * at random (a tracker lists its own peer first: in order, every newcomer asked the tracker).
   */
  next (random: Random): { peer: PeerKey, addrs: string[] } | undefined {
    if (this.inFlight.size >= MANIFEST_FETCHES_AT_ONCE) return undefined
    let peer: PeerKey | undefined
    for (const h of this.holders) if (!this.asked.has(h) && this.known.has(h)) { peer = h; break }
    if (peer === undefined) {
      const rest = [...this.known.keys()].filter(p => !this.asked.has(p))
      if (rest.length === 0) return undefined
      peer = rest[random.int(rest.length)]
    }
    this.asked.add(peer)
    this.inFlight.add(peer)
    return { peer, addrs: this.known.get(peer) ?? [] }
  }

  /** The fetch from `peer` failed (no manifest, unreachable, timed out; `busy`: it holds the manifest but has no room now). */
  failed (peer: PeerKey, busy = false): void {
    this.inFlight.delete(peer)
    if (!busy) return
    this.holders.add(peer)
    this.busy = true
  }

  /** A holder turned us away this round only for want of room: worth a new round soon. */
  get holderBusy (): boolean {
    return this.busy
  }

  /** We asked `peer` this round (a manifest stream from anyone else is not ours to read). */
  wasAsked (peer: PeerKey): boolean {
    return this.asked.has(peer)
  }

  /** Nothing in flight and nobody left to ask: time for a new round, after a backoff. */
  get exhausted (): boolean {
    if (this.inFlight.size > 0) return false
    for (const p of this.known.keys()) if (!this.asked.has(p)) return false
    return true
  }

  /** A new round: everyone may be asked again (fetches in flight stay asked). */
  newRound (): void {
    this.asked = new Set(this.inFlight)
    this.busy = false
  }

  get size (): number {
    return this.known.size
  }
}
