import { WireError } from '../errors.ts'

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })

/**
 * V8 keeps typed arrays of at most this many bytes on its heap. Taking a view of one
 * (`.buffer`, `subarray`, a DataView) first moves it off-heap: about 350 ns, against 50 ns
 * to copy it, and most frames (`have`, `ping`, requests) are this small.
 */
const ON_HEAP_BYTES = 64
/** Strings up to this long are checked for ASCII and written by hand: TextEncoder's call costs ten times a short loop. */
const ASCII_FAST_CHARS = 127

/**
 * Growable byte writer for codecs. Integers are big-endian; `varint` is unsigned LEB128
 * (at most 2^53 - 1); strings and byte fields are varint-length-prefixed.
 */
export class ByteWriter {
  private buf: Uint8Array
  /**
   * Made on the first multi-byte integer, not in the constructor: a buffer of 64 bytes or
   * less lives on V8's heap, and reading its `.buffer` moves it off-heap, which cost more
   * than the rest of encoding a `have` (a tenth of a 500-peer swarm's CPU, most writers
   * never writing a u16/u32/u64).
   */
  private dv: DataView | undefined
  private pos = 0

  constructor (initial = 64) {
    this.buf = new Uint8Array(initial)
  }

  private get view (): DataView {
    this.dv ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
    return this.dv
  }

  private ensure (n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.dv = undefined
  }

  u8 (v: number): this { this.ensure(1); this.buf[this.pos++] = v & 0xff; return this }
  u16 (v: number): this { this.ensure(2); this.view.setUint16(this.pos, v); this.pos += 2; return this }
  u32 (v: number): this { this.ensure(4); this.view.setUint32(this.pos, v >>> 0); this.pos += 4; return this }
  u64 (v: bigint): this { this.ensure(8); this.view.setBigUint64(this.pos, v); this.pos += 8; return this }

  varint (v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new WireError('invalid', `varint out of range: ${v}`)
    this.ensure(8)
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.pos++] = v
    return this
  }

  /** Raw bytes, no length prefix. */
  raw (b: Uint8Array): this { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; return this }
  /** Length-prefixed bytes. */
  bytes (b: Uint8Array): this { return this.varint(b.length).raw(b) }
  string (s: string): this {
    const n = s.length
    if (n <= ASCII_FAST_CHARS && isAscii(s)) {
      // One char, one byte, and n < 128 is its own one-byte varint: what enc.encode would give.
      this.ensure(n + 1)
      this.buf[this.pos++] = n
      for (let i = 0; i < n; i++) this.buf[this.pos++] = s.charCodeAt(i)
      return this
    }
    return this.bytes(enc.encode(s))
  }

  bool (v: boolean): this { return this.u8(v ? 1 : 0) }

  /**
   * The bytes written. A view when the buffer is at least half full (callers size it for
   * their message, so this is the common case): copying a 64 KiB piece per encode was a
   * measurable share of a transfer's CPU. A mostly empty buffer is copied so the result
   * does not pin unused capacity.
   */
  finish (): Uint8Array { return this.pos * 2 >= this.buf.length && this.buf.length > ON_HEAP_BYTES ? this.buf.subarray(0, this.pos) : this.buf.slice(0, this.pos) }
}

function isAscii (s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/** One unsigned LEB128 varint on its own (a length prefix, a credit). */
export function varint (n: number): Uint8Array {
  return new ByteWriter(8).varint(n).finish()
}

/** Bounds-checked reader: every overrun is a typed `truncated` WireError, never a RangeError. */
export class ByteReader {
  private pos = 0
  /** Made on first use, as ByteWriter's: most frames are small on-heap arrays read byte by byte. */
  private dv: DataView | undefined

  private readonly buf: Uint8Array
  private readonly what: string

  constructor (buf: Uint8Array, what = 'message') {
    this.buf = buf
    this.what = what
  }

  private get view (): DataView {
    this.dv ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
    return this.dv
  }

  get remaining (): number { return this.buf.length - this.pos }
  get offset (): number { return this.pos }

  private need (n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      throw new WireError('truncated', `${this.what}: truncated reading ${field} (need ${n} bytes at ${this.pos}, have ${this.remaining})`, { field })
    }
  }

  u8 (field = 'u8'): number { this.need(1, field); return this.buf[this.pos++] }
  u16 (field = 'u16'): number { this.need(2, field); const v = this.view.getUint16(this.pos); this.pos += 2; return v }
  u32 (field = 'u32'): number { this.need(4, field); const v = this.view.getUint32(this.pos); this.pos += 4; return v }
  u64 (field = 'u64'): bigint { this.need(8, field); const v = this.view.getBigUint64(this.pos); this.pos += 8; return v }

  varint (field = 'varint', max = Number.MAX_SAFE_INTEGER): number {
    let v = 0
    let mul = 1
    for (let i = 0; i < 8; i++) {
      this.need(1, field)
      const b = this.buf[this.pos++]
      v += (b & 0x7f) * mul
      if ((b & 0x80) === 0) {
        if (v > max) throw new WireError('oversized', `${this.what}: ${field} = ${v} exceeds ${max}`, { field, value: v, max })
        return v
      }
      mul *= 0x80
    }
    throw new WireError('invalid', `${this.what}: ${field} varint longer than 8 bytes`, { field })
  }

  /** A view of the frame; a copy when small (see ON_HEAP_BYTES: a view of a small frame costs more). */
  raw (n: number, field = 'bytes'): Uint8Array {
    this.need(n, field)
    const out = n <= ON_HEAP_BYTES ? this.buf.slice(this.pos, this.pos + n) : this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  /** Length-prefixed bytes, at most `max` long. */
  bytes (field = 'bytes', max = this.remaining): Uint8Array {
    const n = this.varint(field, max)
    return this.raw(n, field)
  }

  string (field = 'string', maxBytes = this.remaining): string {
    const n = this.varint(field, maxBytes)
    this.need(n, field)
    if (n <= ASCII_FAST_CHARS) {
      // Read in place: TextDecoder needs the bytes off V8's heap first (see ON_HEAP_BYTES).
      const codes = new Array<number>(n)
      let i = 0
      for (; i < n; i++) {
        const c = this.buf[this.pos + i]
        if (c > 0x7f) break
        codes[i] = c
      }
      if (i === n) {
        this.pos += n
        return String.fromCharCode.apply(null, codes)
      }
    }
    const b = this.raw(n, field)
    try {
      return dec.decode(b)
    } catch {
      throw new WireError('invalid', `${this.what}: ${field} is not valid UTF-8`, { field })
    }
  }

  bool (field = 'bool'): boolean {
    const v = this.u8(field)
    if (v > 1) throw new WireError('invalid', `${this.what}: ${field} must be 0 or 1, got ${v}`, { field })
    return v === 1
  }

  /** Reject trailing garbage: a frame must be consumed exactly. */
  end (): void {
    if (this.remaining !== 0) throw new WireError('invalid', `${this.what}: ${this.remaining} trailing bytes`)
  }
}
