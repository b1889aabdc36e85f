import { PIPELINE_MIN, REQUEST_BATCH_DIVISOR, REQUEST_QUEUE_MS } from './constants.ts'

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

/**
 * Requests to send now to a peer with `outstanding` of `depth` in flight: the free room,
 * but only once it reaches a quarter of the depth (REQUEST_BATCH_DIVISOR) while requests
 * are still outstanding. On a fast link one request per arriving block cost a frame, a
 * cipher message and a syscall each way per 64 KiB; in batches they share them, and the
 * pipeline never drains below three quarters. Shallow pipelines (depth < 8, any link
 * slower than ~150 KB/s) are unchanged: their batch is one.
 */
export function requestsToSend (depth: number, outstanding: number): number {
  const room = depth - outstanding
  if (room <= 0) return 0
  const batch = Math.max(1, Math.floor(depth / REQUEST_BATCH_DIVISOR))
  return outstanding > 0 && room < batch ? 0 : room
}
