/**
 * Cuts off a child that floods index updates (KaZaA safety): at most `maxPerMinute`
 * updates in any sliding minute. A pure decision over the child's recent update times.
 */
export const GUARD_WINDOW_MS = 60_000

export type GuardDecision =
  | { kind: 'admit', times: number[] }
  | { kind: 'cut-off', count: number }

export function admitUpdate (times: readonly number[], now: number, maxPerMinute: number): GuardDecision {
  const recent = times.filter(t => now - t < GUARD_WINDOW_MS)
  if (recent.length >= maxPerMinute) return { kind: 'cut-off', count: recent.length + 1 }
  return { kind: 'admit', times: [...recent, now] }
}

/** Whether a cut-off recorded `until` still holds. */
export function isCutOff (until: number | undefined, now: number): boolean {
  return until !== undefined && until > now
}
