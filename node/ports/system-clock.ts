import type { Clock, Timer } from './clock.ts'

/** The wall clock: `performance.now()` for time (monotonic), Node timers for scheduling. */
export class SystemClock implements Clock {
  private readonly origin = Date.now() - performance.now()

  now (): number {
    return this.origin + performance.now()
  }

  setTimer (delayMs: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, delayMs))
    t.unref?.()
    return { cancel: () => clearTimeout(t) }
  }

  setPeriodic (periodMs: number, fn: () => void): Timer {
    const t = setInterval(fn, Math.max(1, periodMs))
    t.unref?.()
    return { cancel: () => clearInterval(t) }
  }
}
