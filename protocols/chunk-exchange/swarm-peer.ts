import type { PeerKey } from '../../node/ports/net.ts'
import { SUPER_SEED_UNSPREAD_LIMIT } from './constants.ts'
import { PeerRate } from './peer-rate.ts'

/** What a swarm knows of one remote peer (BitTorrent's four choke/interest flags and more). */
export class SwarmPeer {
  readonly key: PeerKey
  /** When it took its place in the swarm (an unanswered handshake gives the place up: Swarm.tick). */
  readonly addedAt: number
  /** The sid the peer names this swarm by (from its handshake). */
  theirSid: number | undefined
  sentHandshake = false
  sentBitfield = false
  amChoking = true
  /** We unchoked it at least once (it is no longer a newcomer). */
  everUnchoked = false
  /** The last rechoke (or the newcomer rule) gave it a slot: it may take it back at once after a lapse of interest. */
  granted = false
  amInterested = false
  peerChoking = true
  peerInterested = false
  /** After a not-interested, the peer still counts as interested for the rechoke until then. */
  interestedUntil = 0
  readonly down: PeerRate
  readonly up: PeerRate
  /**
   * Last block from this peer, or when requests to it went out with none outstanding
   * (snub detection: the time our requests there last made progress); last frame to it (keep-alive).
   */
  lastPieceAt: number
  /** Running gap between this peer's blocks (snub.ts), once one was measured. */
  gapMs: number | undefined
  /** It let requests stall past its deadline: one request at a time until a block arrives. */
  snubbed = false
  lastSentAt: number
  /** Super-seeding: chunks offered (announced) to this peer that it does not have yet. */
  readonly offered = new Set<number>()
  /** Super-seeding: offered chunks it obtained and no other peer has yet. */
  readonly obtained = new Set<number>()
  /** Super-seeding: chunks it obtained from our offers, and how many of those reached another peer through it. */
  tookFromSeed = 0
  passedOn = 0
  /** Requests from this peer waiting to be served, and pieces handed to the transport. */
  readonly uploads: Array<{ index: number, begin: number, length: number }> = []
  inFlight = 0
  /** Share of chunks failing verification this peer contributed to. */
  badScore = 0

  constructor (key: PeerKey, now: number, rateWindowMs: number) {
    this.key = key
    this.addedAt = now
    this.down = new PeerRate(rateWindowMs)
    this.up = new PeerRate(rateWindowMs)
    this.lastPieceAt = now
    this.lastSentAt = now
  }

  /** Our super-seeding saw it pass our chunks on (or it took too few to tell): false marks a free-rider. */
  get spreads (): boolean {
    return this.tookFromSeed < SUPER_SEED_UNSPREAD_LIMIT || this.passedOn > 0
  }

  get ready (): boolean {
    return this.theirSid !== undefined && this.sentHandshake
  }
}
