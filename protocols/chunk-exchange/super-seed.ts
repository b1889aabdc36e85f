import type { Random } from '../../node/ports/random.ts'

/**
 * Super-seeding (BitTorrent's "initial seeding"): a seed hides its full bitfield and
 * offers each peer only chunks the swarm lacks most, one or two at a time, so it does not
 * spend its scarce upload on chunks already spread; leechers spread them among
 * themselves. `spread(i)` counts the neighbours that have chunk i plus current offers of
 * it; the least spread chunk the peer does not have wins, ties at random. Returns
 * undefined when the peer has (or is offered) everything.
 */
export function pickOffer (
  chunkCount: number,
  peerHas: (index: number) => boolean,
  offeredToPeer: ReadonlySet<number>,
  spread: (index: number) => number,
  random: Random
): number | undefined {
  let best: number | undefined
  let bestSpread = Number.POSITIVE_INFINITY
  let ties = 0
  for (let i = 0; i < chunkCount; i++) {
    if (peerHas(i) || offeredToPeer.has(i)) continue
    const s = spread(i)
    if (s < bestSpread) { best = i; bestSpread = s; ties = 1 } else if (s === bestSpread) {
      ties++
      if (random.int(ties) === 0) best = i
    }
  }
  return best
}
