import { BOOTSTRAP_RETRY_BASE_MS, BOOTSTRAP_RETRY_MAX_MS, KEEPER_FAST_INTERVAL_MS, KEEPER_MAX_PARALLEL_DIALS, KEEPER_SLOW_INTERVAL_MS } from './constants.ts'

/** Delay before retrying a bootstrap address after `attempt` failures (1-based): doubling, capped. */
export function bootstrapRetryDelay (attempt: number): number {
  return Math.min(BOOTSTRAP_RETRY_MAX_MS, BOOTSTRAP_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1))
}

/**
 * When the keeper looks again. Healthy (at or above low water): the slow period. Below
 * it: fast, doubling while sweeps make no progress so a peer that cannot reach its low
 * water mark (a two-peer LAN) does not poll forever at full speed.
 */
export function nextKeeperDelay (connections: number, lowWater: number, prevDelay: number, progressed: boolean): number {
  if (connections >= lowWater) return KEEPER_SLOW_INTERVAL_MS
  if (progressed) return KEEPER_FAST_INTERVAL_MS
  return Math.min(KEEPER_SLOW_INTERVAL_MS, Math.max(KEEPER_FAST_INTERVAL_MS, prevDelay * 2))
}

/** How many new dials one sweep starts: the gap to low water, never past high water, a few at a time. */
export function dialsWanted (connections: number, lowWater: number, highWater: number): number {
  if (connections >= lowWater) return 0
  return Math.max(0, Math.min(lowWater - connections, highWater - connections, KEEPER_MAX_PARALLEL_DIALS))
}
