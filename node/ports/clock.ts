/**
 * The clock port. Protocol code reads time and schedules work only through this, so
 * the same actor runs on the wall clock or on virtual time advanced by a simulator.
 */
export interface Timer {
  cancel(): void
}

export interface Clock {
  /** Milliseconds since an arbitrary epoch (monotonic on the real clock). */
  now(): number
  /** Run `fn` once after `delayMs`. */
  setTimer(delayMs: number, fn: () => void): Timer
  /** Run `fn` every `periodMs`, first after one period. */
  setPeriodic(periodMs: number, fn: () => void): Timer
}
