/**
 * When a stream reader should stop the remote from sending. libp2p 3 streams push data
 * whether or not anyone reads it, and abort past a fixed buffer; pausing a stream makes
 * yamux withhold window updates, so the remote's writes wait instead. Pure: a function of
 * what is buffered, what the pending read needs, and the current state.
 *
 * - Never paused while the pending read needs more than is buffered (that would deadlock:
 *   the reader waits for bytes the pause withholds).
 * - Paused once the reader is `highWater` ahead (and the read, if any, can complete).
 * - Resumed once it fell below `lowWater`: the gap between the two keeps a reader that
 *   consumes steadily from toggling on every frame.
 */
export interface FlowInput {
  paused: boolean
  /** Bytes received and not yet consumed by the reader. */
  buffered: number
  /** Bytes the pending read waits for in total (0: the reader is busy elsewhere). */
  needed: number
  highWater: number
  lowWater: number
}

export function shouldPause (s: FlowInput): boolean {
  if (s.needed > s.buffered) return false
  return s.paused ? s.buffered >= s.lowWater : s.buffered >= s.highWater
}
