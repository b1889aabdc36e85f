import type { Clock, Timer } from './clock.ts'

/**
 * One timer in the queue, and also the handle its owner cancels it by: a separate
 * `{ cancel }` object and closure per timer were two more allocations for every frame in
 * flight (most timers are never cancelled).
 */
class Scheduled implements Timer {
  at: number
  seq: number
  readonly fn: () => void
  readonly period: number | undefined
  cancelled = false

  constructor (at: number, seq: number, fn: () => void, period: number | undefined) {
    this.at = at
    this.seq = seq
    this.fn = fn
    this.period = period
  }

  cancel (): void {
    this.cancelled = true
  }
}

/**
 * Virtual time. Nothing happens until the owner advances it; then every timer due fires
 * in (time, insertion) order, and promise continuations settle between timers, so a run
 * is a pure function of its inputs.
 */
export class VirtualClock implements Clock {
  private t: number
  private seq = 0
  private readonly heap: Scheduled[] = []

  constructor (start = 0) {
    this.t = start
  }

  now (): number {
    return this.t
  }

  setTimer (delayMs: number, fn: () => void): Timer {
    return this.push(this.t + Math.max(0, delayMs), fn)
  }

  setPeriodic (periodMs: number, fn: () => void): Timer {
    return this.push(this.t + Math.max(1, periodMs), fn, Math.max(1, periodMs))
  }

  /** Number of live timers. */
  get pending (): number {
    return this.heap.filter(s => !s.cancelled).length
  }

  /** Time of the next live timer, or undefined. */
  nextAt (): number | undefined {
    this.dropCancelled()
    return this.heap[0]?.at
  }

  /** Fire the single next timer (jumping time to it). Returns false when none is left. */
  async step (): Promise<boolean> {
    this.dropCancelled()
    const next = this.pop()
    if (next === undefined) return false
    this.t = Math.max(this.t, next.at)
    if (next.period !== undefined && !next.cancelled) {
      next.at += next.period
      next.seq = this.seq++
      this.insert(next)
    }
    next.fn()
    await settle()
    return true
  }

  /** Advance by `ms`, firing every timer due in order. */
  async advance (ms: number): Promise<void> {
    await this.runUntil(this.t + ms)
  }

  /** Fire every timer due up to `until`, then set time to `until`. */
  async runUntil (until: number, maxEvents = Number.POSITIVE_INFINITY): Promise<number> {
    let fired = 0
    await settle()
    while (fired < maxEvents) {
      const at = this.nextAt()
      if (at === undefined || at > until) break
      await this.step()
      fired++
    }
    if (this.t < until) this.t = until
    return fired
  }

  /** Run until `done()` holds, time passes `deadline`, or no timer is left. */
  async runWhile (pending: () => boolean, deadline: number): Promise<boolean> {
    await settle()
    while (pending()) {
      const at = this.nextAt()
      if (at === undefined || at > deadline) return !pending()
      await this.step()
    }
    return true
  }

  private push (at: number, fn: () => void, period?: number): Timer {
    const s = new Scheduled(at, this.seq++, fn, period)
    this.insert(s)
    return s
  }

  private dropCancelled (): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop()
  }

  /** Sift up by moving a hole, not swapping: one write per level (the heap holds every timer of every peer). */
  private insert (s: Scheduled): void {
    const h = this.heap
    let i = h.length
    h.push(s)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(s, h[p])) break
      h[i] = h[p]
      i = p
    }
    h[i] = s
  }

  private pop (): Scheduled | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]
    const last = h.pop() as Scheduled
    const n = h.length
    if (n > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const m = r < n && before(h[r], h[l]) ? r : l
        if (!before(h[m], last)) break
        h[i] = h[m]
        i = m
      }
      h[i] = last
    }
    return top
  }
}

function before (a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/** Let pending promise continuations run (several microtask turns and one macrotask). */
export async function settle (): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve()
  await new Promise<void>(resolve => setImmediate(resolve))
}
