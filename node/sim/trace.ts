import { createHash } from 'node:crypto'

/** One scenario-level event (joins, failures, completions...), at virtual time `t` (ms). */
export interface TraceEvent {
  t: number
  kind: string
  peer?: string
  detail?: Record<string, number | string | boolean>
}

/**
 * The record of a run that determinism is judged on: every scenario event, plus every
 * frame delivered (folded into a running 64-bit hash, so a million frames cost no
 * memory). Same seed, same trace, same hash, bit for bit.
 */
export class Trace {
  readonly events: TraceEvent[] = []
  /** Two 32-bit FNV-1a lanes over (time, from, to, protocol, length) of every frame. */
  private h1 = 0x811c9dc5
  private h2 = 0x01000193
  frames = 0
  private readonly keep: boolean

  constructor (opts: { keepEvents?: boolean } = {}) {
    this.keep = opts.keepEvents ?? true
  }

  event (e: TraceEvent): void {
    if (this.keep) this.events.push(e)
    this.mixString(`${e.t}|${e.kind}|${e.peer ?? ''}|${e.detail === undefined ? '' : JSON.stringify(e.detail)}`)
  }

  frame (t: number, from: string, to: string, protocol: string, bytes: number): void {
    this.frames++
    this.mixNumber(t)
    this.mixString(from)
    this.mixString(to)
    this.mixNumber(protocol.length)
    this.mixNumber(bytes)
  }

  /** Hex digest of everything recorded so far. */
  hash (extra: unknown = null): string {
    return createHash('sha256')
      .update(JSON.stringify({ events: this.keep ? this.events : this.events.length, frames: this.frames, h: [this.h1 >>> 0, this.h2 >>> 0], extra }))
      .digest('hex')
  }

  private mixNumber (n: number): void {
    // Times are floats: mix both 32-bit halves of the double so 1e-9 differences show.
    f64[0] = n
    this.mixWord(u32[0])
    this.mixWord(u32[1])
  }

  private mixString (s: string): void {
    for (let i = 0; i < s.length; i++) this.mixWord(s.charCodeAt(i))
    this.mixWord(0xff)
  }

  private mixWord (w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 0x01000193)
    this.h2 = Math.imul(this.h2 ^ (w + 0x9e3779b9), 0x85ebca6b) ^ (this.h2 >>> 15)
  }
}

const f64 = new Float64Array(1)
const u32 = new Uint32Array(f64.buffer)
