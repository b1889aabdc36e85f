import type { PeerKey } from '../../node/ports/net.ts'
import type { Random } from '../../node/ports/random.ts'

/** What the choker knows about one peer at an evaluation. */
export interface ChokeCandidate {
  peer: PeerKey
  /** The peer wants something we have. */
  interested: boolean
  /** Bytes/s the peer sends us: a leecher's reason to reciprocate. */
  downRate: number
  /** Bytes/s the peer takes from us: a seed's measure of who spreads its data fastest. */
  upRate: number
  /** Bytes the peer ever sent us: among equal rates, a peer that reciprocated before ranks above one that never did. */
  received?: number
  /**
   * A seed's view: false for a peer that took chunks from our super-seeding and passed none
   * of them on (a free-rider). It ranks after every peer that spreads our data, whatever
   * its rate, and can still win the optimistic slot.
   */
  spreads?: boolean
}

export interface ChokeDecision {
  /** Peers to hold unchoked: `regular` plus `optimistic`. */
  unchoked: Set<PeerKey>
  /** The top `slots` interested peers by rate. */
  regular: PeerKey[]
  /** The optimistic unchoke, if any peer was left to choose. */
  optimistic?: PeerKey
}

export interface ChokeInput {
  candidates: readonly ChokeCandidate[]
  slots: number
  /** Rank by upload rate (we are a seed) instead of download rate. */
  seed: boolean
  /** The optimistic unchoke chosen earlier. */
  optimistic?: PeerKey
  /** A 30 s step: pick a new optimistic unchoke even if the old one still qualifies. */
  rotate: boolean
}

/**
 * Tit-for-tat, as in BitTorrent: unchoke the `slots` interested peers that send to us
 * fastest (a seed: that take from us fastest); plus one optimistic unchoke chosen at random
 * among the other interested peers, kept until the next rotation. An optimistic peer that
 * proved fast enough is ranked into the top `slots` at the next evaluation, and its
 * optimistic slot goes to someone else. Ties in rate go to the peer that sent us more in
 * the past (a free-rider never wins a tie), then at random. A seed ranks peers that hoard
 * its chunks after those that pass them on: ranking by take rate alone kept a free-rider,
 * which takes as fast as anyone, in a seed slot for good (an unchoked peer's rate is what
 * keeps it unchoked), handing it about twice its share of the seed's upload.
 */
export function rechoke (input: ChokeInput, random: Random): ChokeDecision {
  const key = (c: ChokeCandidate): number => input.seed ? c.upRate : c.downRate
  const interested = random.shuffle(input.candidates.filter(c => c.interested))
  const spreads = (c: ChokeCandidate): number => input.seed && c.spreads === false ? 0 : 1
  interested.sort((a, b) => spreads(b) - spreads(a) || key(b) - key(a) || (input.seed ? 0 : (b.received ?? 0) - (a.received ?? 0)))
  const regular = interested.slice(0, input.slots).map(c => c.peer)
  const inTop = new Set(regular)
  const others = interested.filter(c => !inTop.has(c.peer)).map(c => c.peer)
  let optimistic: PeerKey | undefined
  if (!input.rotate && input.optimistic !== undefined && others.includes(input.optimistic)) optimistic = input.optimistic
  else {
    // Rotating means someone else gets the chance, when there is anyone else.
    const fresh = others.filter(p => p !== input.optimistic)
    optimistic = random.pick(fresh.length > 0 ? fresh : others)
  }
  const unchoked = new Set(regular)
  if (optimistic !== undefined) unchoked.add(optimistic)
  return { unchoked, regular, optimistic }
}

/**
 * A newly interested peer is unchoked at once while a slot (regular or optimistic) is
 * free, instead of waiting up to 10 s for the next evaluation: a newcomer gets its first
 * chunk in about a round trip.
 */
export function admitNewcomer (unchokedCount: number, slots: number): boolean {
  return unchokedCount < slots + 1
}

/**
 * Upload turns, round robin: the peers in the order to offer the next free upload slot,
 * starting just after the peer served last. Starting one place further at each call instead
 * (as before) hands every turn that falls on a choked or idle peer to the next hungry one in
 * list order, so a peer's share of our upload depended on how many idle peers happened to
 * precede it in the map (measured: 20 KB per round with none before it, 48 KB with three), and
 * a free-rider sitting after the seed and the bootstrap node got about twice its share.
 */
export function * serveOrder<T> (peers: readonly T[] | ReadonlyMap<T, unknown>, lastServed: T | undefined): Generator<T> {
  // Lazily, straight off the map: a seed's swarm is every peer, and copying its keys three
  // times per confirmed piece cost more than the serving (the caller usually stops after a few).
  const all = (): Iterable<T> => Array.isArray(peers) ? peers : (peers as ReadonlyMap<T, unknown>).keys()
  const known = lastServed !== undefined && (Array.isArray(peers) ? peers.includes(lastServed) : (peers as ReadonlyMap<T, unknown>).has(lastServed))
  if (!known) { yield * all(); return }
  let after = false
  for (const p of all()) {
    if (after) yield p
    else if (p === lastServed) after = true
  }
  for (const p of all()) {
    yield p
    if (p === lastServed) return
  }
}
