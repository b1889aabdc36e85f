import type { Clock, Timer } from '../ports/clock.ts'

/**
 * The clock handed to one actor instance: every timer it sets is cancelled when the
 * instance stops or crashes, so a restarted actor never receives its predecessor's ticks twice.
 */
export class ScopedClock implements Clock {
  private readonly timers = new Set<Timer>()

  private readonly inner: Clock

  constructor (inner: Clock) {
    this.inner = inner
  }

  now (): number {
    return this.inner.now()
  }

  setTimer (delayMs: number, fn: () => void): Timer {
    const t = this.inner.setTimer(delayMs, () => { this.timers.delete(handle); fn() })
    const handle: Timer = { cancel: () => { this.timers.delete(handle); t.cancel() } }
    this.timers.add(handle)
    return handle
  }

  setPeriodic (periodMs: number, fn: () => void): Timer {
    const t = this.inner.setPeriodic(periodMs, fn)
    const handle: Timer = { cancel: () => { this.timers.delete(handle); t.cancel() } }
    this.timers.add(handle)
    return handle
  }

  cancelAll (): void {
    for (const t of [...this.timers]) t.cancel()
  }
}
