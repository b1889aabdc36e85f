import type { PeerKey } from '../../node/ports/net.ts'
import { RateMeter } from './rate.ts'

/** What a swarm knows of one remote peer (BitTorrent's four choke/interest flags and more). */
export class SwarmPeer {
  readonly key: PeerKey
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
  readonly down: RateMeter
  readonly up: RateMeter
  /** Last block from this peer (snub detection) and last frame to it (keep-alive). */
  lastPieceAt: number
  lastSentAt: number
  /** Super-seeding: chunks offered (announced) to this peer that it does not have yet. */
  readonly offered = new Set<number>()
  /** Super-seeding: offered chunks it obtained and no other peer has yet. */
  readonly obtained = new Set<number>()
  /** Requests from this peer waiting to be served, and pieces handed to the transport. */
  readonly uploads: Array<{ index: number, begin: number, length: number }> = []
  inFlight = 0
  /** Share of chunks failing verification this peer contributed to. */
  badScore = 0

  constructor (key: PeerKey, now: number, rateWindowMs: number) {
    this.key = key
    this.down = new RateMeter(rateWindowMs)
    this.up = new RateMeter(rateWindowMs)
    this.lastPieceAt = now
    this.lastSentAt = now
  }

  get ready (): boolean {
    return this.theirSid !== undefined && this.sentHandshake
  }
}
