import type { PeerKey } from '../../node/ports/net.ts'
import { nextGap } from './snub.ts'

/** A peer's pieces in the transport, and when it last took one (or got its first). */
interface InFlight {
  count: number
  lastConfirm: number
}

/**
 * How long a piece queued behind another to this peer usually waits to be taken (the
 * transfer time of the one ahead), and since when the current one waits. Kept while the
 * peer is connected, across releases: only real confirmations measure it.
 */
interface Timing {
  gap?: number
  queuedSince?: number
}

/**
 * Pieces handed to the transport and not yet taken, per peer and over all swarms: the
 * actor-wide upload budget reads the total, and a peer that goes or stalls gives its share
 * back, so a dead connection never holds the budget. A peer's stall deadline grows with its
 * usual wait (snub.ts): a piece queued behind another to a slow peer waits that piece's
 * whole transfer (80 s at 1 KiB/s shared five ways).
 */
export class UploadLedger {
  /** Pieces in flight over all peers. */
  total = 0
  private readonly inFlight = new Map<PeerKey, InFlight>()
  private readonly timing = new Map<PeerKey, Timing>()

  sent (peer: PeerKey, now: number): void {
    this.total++
    const f = this.inFlight.get(peer)
    if (f === undefined) this.inFlight.set(peer, { count: 1, lastConfirm: now })
    else f.count++
  }

  /** The transport took (or failed to take) one of our pieces to `peer`. */
  confirmed (peer: PeerKey, now: number): void {
    const f = this.inFlight.get(peer)
    const t = this.timing.get(peer) ?? {}
    if (t.queuedSince !== undefined) t.gap = nextGap(t.gap, now - t.queuedSince)
    // The next piece to this peer starts its wait now, if there is one.
    t.queuedSince = (f?.count ?? 0) > 1 ? now : undefined
    this.timing.set(peer, t)
    if (f === undefined) return
    this.total = Math.max(0, this.total - 1)
    if (f.count === 1) this.inFlight.delete(peer)
    else {
      f.count--
      f.lastConfirm = now
    }
  }

  /** Stop counting `peer`'s pieces against the budget (gone, or stalled past its deadline). */
  release (peer: PeerKey): void {
    this.total = Math.max(0, this.total - (this.inFlight.get(peer)?.count ?? 0))
    this.inFlight.delete(peer)
  }

  /** The peer disconnected: its timing goes too. */
  forget (peer: PeerKey): void {
    this.release(peer)
    this.timing.delete(peer)
  }

  /** Peers whose pieces went unconfirmed for longer than `deadline` of their usual wait allows. */
  stalled (now: number, deadline: (usualGapMs: number | undefined) => number): PeerKey[] {
    const out: PeerKey[] = []
    for (const [peer, f] of this.inFlight) if (now - f.lastConfirm > deadline(this.timing.get(peer)?.gap)) out.push(peer)
    return out
  }
}
