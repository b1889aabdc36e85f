import { PIPELINE_MIN, REQUEST_QUEUE_MS } from './constants.ts'

/**
 * Requests to keep outstanding at one peer: what it sends us in REQUEST_QUEUE_MS at its
 * measured rate, plus one, at least PIPELINE_MIN and at most the configured depth
 * (libtorrent sizes its request queue the same way). A fixed depth of 16 let a 1 KiB/s
 * peer hold four chunks' worth of blocks for minutes while a faster peer that had them sat
 * idle: outside endgame a block is asked of one peer only, so in a 5-leecher textbook run
 * the seed's upload idled through the last 900 s, every missing block promised by a
 * leecher. While it is snubbed a peer gets one request (BitTorrent's anti-snubbing): a dead
 * peer holds one block, and a slow one that answers it proves itself and gets its depth back.
 */
export function pipelineDepth (rateBps: number, blockSize: number, maxDepth: number, snubbed: boolean): number {
  if (snubbed) return 1
  const byRate = Math.ceil(rateBps * REQUEST_QUEUE_MS / 1000 / blockSize) + 1
  return Math.min(maxDepth, Math.max(PIPELINE_MIN, byRate))
}
