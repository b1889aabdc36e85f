import { randomBytes } from 'node:crypto'

/**
 * The random port. One seed feeds every random source in a simulated run, so a seed
 * reproduces it; a real peer seeds from the OS.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** `n` random bytes. */
  bytes(n: number): Uint8Array
  /** An independent stream derived from this one and a label (e.g. one per peer or actor). */
  fork(label: string): Random
  /** Pick one element uniformly; undefined for an empty array. */
  pick<T>(items: readonly T[]): T | undefined
  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[]
}

/** sfc32: small, fast, passes PractRand; plenty for protocol choices (not for keys). */
export class SeededRandom implements Random {
  private a: number
  private b: number
  private c: number
  private d: number

  readonly seed: number | string

  constructor (seed: number | string) {
    this.seed = seed
    const h = hash128(String(seed))
    this.a = h[0]; this.b = h[1]; this.c = h[2]; this.d = h[3]
    for (let i = 0; i < 15; i++) this.u32()
  }

  private u32 (): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  next (): number {
    return this.u32() / 4294967296
  }

  int (n: number): number {
    return Math.floor(this.next() * n)
  }

  bytes (n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.u32()
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff
    }
    return out
  }

  fork (label: string): Random {
    return new SeededRandom(`${this.u32()}:${label}`)
  }

  pick<T> (items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(items.length)]
  }

  shuffle<T> (items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      ;[items[i], items[j]] = [items[j], items[i]]
    }
    return items
  }
}

/** A real peer's random source: the same generator, seeded from the OS. */
export function cryptoSeededRandom (): Random {
  return new SeededRandom(Buffer.from(randomBytes(16)).toString('hex'))
}

/** cyrb128: spreads a string seed over 128 bits. */
function hash128 (s: string): [number, number, number, number] {
  let h1 = 1779033703; let h2 = 3144134277; let h3 = 1013904242; let h4 = 2773480762
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0]
}
