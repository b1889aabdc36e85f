/**
 * A fixed-length set of chunk indexes, packed MSB-first as in BitTorrent's bitfield
 * message (bit 0 is the high bit of byte 0). Keeps its population count.
 */
export class Bitfield {
  readonly length: number
  readonly bytes: Uint8Array
  private set = 0

  constructor (length: number, bytes?: Uint8Array) {
    this.length = length
    this.bytes = new Uint8Array(Math.ceil(length / 8))
    if (bytes !== undefined) {
      this.bytes.set(bytes.subarray(0, this.bytes.length))
      for (let i = 0; i < length; i++) if (this.has(i)) this.set++
    }
  }

  has (i: number): boolean {
    return (this.bytes[i >> 3] & (0x80 >> (i & 7))) !== 0
  }

  /** Returns false when the bit was already set. */
  add (i: number): boolean {
    if (this.has(i)) return false
    this.bytes[i >> 3] |= 0x80 >> (i & 7)
    this.set++
    return true
  }

  get count (): number {
    return this.set
  }

  get complete (): boolean {
    return this.set === this.length
  }

  /** Indexes set, ascending. */
  * indexes (): IterableIterator<number> {
    for (let i = 0; i < this.length; i++) if (this.has(i)) yield i
  }

  static full (length: number): Bitfield {
    const b = new Bitfield(length)
    for (let i = 0; i < length; i++) b.add(i)
    return b
  }

  /** True when bits past `length` in the last byte are zero (a well-formed wire bitfield). */
  static sparesClear (length: number, bytes: Uint8Array): boolean {
    if (bytes.length !== Math.ceil(length / 8)) return false
    const spare = bytes.length * 8 - length
    if (spare === 0) return true
    return (bytes[bytes.length - 1] & ((1 << spare) - 1)) === 0
  }
}
