import { SNUB_GAP_MARGIN, SNUB_GAP_WEIGHT } from './constants.ts'

/**
 * When a peer counts as snubbing us: its outstanding requests went `snubAfterMs` without a
 * block. A fixed deadline (it was 30 s) mistakes a slow but honest peer for a dead one: a
 * 16 KiB block from a peer uploading 1 KiB/s to five others takes 80 s, so every block was
 * re-requested elsewhere and uploaded twice (900 snubs in a 5-leecher textbook run, the
 * leechers' upload half wasted). The deadline therefore follows the gap measured between
 * that peer's blocks: SNUB_GAP_MARGIN times the usual gap, never under the configured
 * floor (which alone applies before the first gap is known).
 */
export function snubAfterMs (floorMs: number, gapMs: number | undefined): number {
  return gapMs === undefined ? floorMs : Math.max(floorMs, SNUB_GAP_MARGIN * gapMs)
}

/** The gap between blocks, averaged (exponentially weighted) so one stall moves it only a little. */
export function nextGap (gapMs: number | undefined, sampleMs: number): number {
  return gapMs === undefined ? sampleMs : gapMs + SNUB_GAP_WEIGHT * (sampleMs - gapMs)
}
