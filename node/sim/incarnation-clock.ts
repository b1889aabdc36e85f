import type { Clock, Timer } from '../ports/clock.ts'

const inert: Timer = { cancel: () => {} }

/**
 * The clock one incarnation of a simulated peer runs on. A crash `kill`s it: every timer
 * the dead process had set is cancelled and any it tries to set later never fires, as
 * when a process dies, without running its actors' graceful `stop`.
 */
export class IncarnationClock implements Clock {
  private readonly inner: Clock
  private readonly timers = new Set<Timer>()
  private dead = false

  constructor (inner: Clock) {
    this.inner = inner
  }

  now (): number {
    return this.inner.now()
  }

  setTimer (delayMs: number, fn: () => void): Timer {
    if (this.dead) return inert
    const t = this.inner.setTimer(delayMs, () => { this.timers.delete(t); fn() })
    this.timers.add(t)
    return { cancel: () => { this.timers.delete(t); t.cancel() } }
  }

  setPeriodic (periodMs: number, fn: () => void): Timer {
    if (this.dead) return inert
    const t = this.inner.setPeriodic(periodMs, fn)
    this.timers.add(t)
    return { cancel: () => { this.timers.delete(t); t.cancel() } }
  }

  kill (): void {
    this.dead = true
    for (const t of this.timers) t.cancel()
    this.timers.clear()
  }
}
