import type { Stream } from '@libp2p/interface'
import { NetError, WireError } from '../errors.ts'
import { shouldPause } from './read-flow.ts'

/** A frame length prefix longer than this cannot describe a frame we accept (2^35 bytes). */
const MAX_LENGTH_PREFIX_BYTES = 5

export interface StreamReaderOptions {
  highWater: number
  lowWater: number
  /** Context for errors (peer, protocol). */
  context?: Record<string, unknown>
}

/**
 * Reads one libp2p stream with backpressure: varint-length-prefixed frames or raw bytes.
 * libp2p 3 streams have no read backpressure of their own (unread data past 4 MiB aborts
 * the stream), so this reader keeps the received bytes itself and pauses the stream when
 * it is `highWater` ahead of its consumer (read-flow.ts decides); yamux then withholds
 * window updates and the remote's writes wait. A rate-capped or slow consumer therefore
 * slows the sender instead of failing the stream.
 *
 * It replaces lpStream/byteStream for reading: those buffer every message they see, which
 * would defeat the pause. Errors: WireError `oversized`/`truncated` for bad framing,
 * NetError `closed` when the stream is reset.
 */
export class StreamReader {
  private readonly stream: Stream
  private readonly opts: StreamReaderOptions
  private readonly queue = new ByteQueue()
  private waiter: (() => void) | undefined
  private needed = 0
  private remoteEnded = false
  private failure: Error | undefined
  private paused = false
  private flowQueued = false

  constructor (stream: Stream, opts: StreamReaderOptions) {
    this.stream = stream
    this.opts = opts
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onRemoteEnd)
    stream.addEventListener('close', this.onClose)
    if (stream.remoteWriteStatus !== 'writable') this.remoteEnded = true
    if (stream.status !== 'open') this.failure ??= new NetError('closed', `stream is ${stream.status}`, opts.context)
  }

  /** Bytes received and not yet read. */
  get buffered (): number {
    return this.queue.length
  }

  /** Whether the stream is paused right now (for tests and status). */
  get isPaused (): boolean {
    return this.paused
  }

  /**
   * The next varint-length-prefixed frame; null at a clean end of stream between frames.
   * A length over `maxLength` throws WireError `oversized` without reading the body.
   */
  async frame (maxLength: number): Promise<Uint8Array | null> {
    let length = 0
    let n = 0
    for (;;) {
      if (!await this.fill(n + 1)) {
        if (n === 0) return null
        throw new WireError('truncated', 'stream ended inside a frame length prefix', this.opts.context)
      }
      const b = this.queue.peek(n)
      length += (b & 0x7f) * 2 ** (7 * n)
      n++
      if ((b & 0x80) === 0) break
      if (n >= MAX_LENGTH_PREFIX_BYTES) throw new WireError('oversized', `frame length prefix longer than ${MAX_LENGTH_PREFIX_BYTES} bytes`, this.opts.context)
    }
    if (length > maxLength) throw new WireError('oversized', `frame of ${length} bytes exceeds ${maxLength}`, { ...this.opts.context, bytes: length, max: maxLength })
    if (!await this.fill(n + length)) throw new WireError('truncated', `stream ended inside a frame of ${length} bytes`, { ...this.opts.context, bytes: length })
    this.queue.skip(n)
    const out = this.queue.take(length)
    this.flow()
    return out
  }

  /**
   * Up to `max` bytes, waiting for at least one; null at the end of the stream. At most what
   * the first buffered message holds, so the bytes are a view of it, never a copy.
   */
  async chunk (max: number): Promise<Uint8Array | null> {
    if (!await this.fill(1)) return null
    const out = this.queue.take(Math.min(max, this.queue.headLength))
    this.flow()
    return out
  }

  /** Stop listening (the stream is being closed or handed elsewhere). */
  detach (): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onRemoteEnd)
    this.stream.removeEventListener('close', this.onClose)
    this.wake()
  }

  /** Wait until `n` bytes are buffered; false when the stream ended first. */
  private async fill (n: number): Promise<boolean> {
    while (this.queue.length < n) {
      if (this.failure !== undefined) throw this.failure
      // Data the stream holds back while paused is still to come, even after the remote's FIN.
      if (this.remoteEnded && this.stream.readBufferLength === 0) return false
      this.needed = n
      this.flow()
      await new Promise<void>(resolve => { this.waiter = resolve })
    }
    if (this.failure !== undefined) throw this.failure
    this.needed = 0
    return true
  }

  private wake (): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }

  private readonly onMessage = (evt: Event): void => {
    // A Uint8ArrayList (what yamux delivers after noise) is queued part by part: its
    // subarray() would copy every multi-part message once more before framing does.
    const data = (evt as Event & { data: Uint8Array | Iterable<Uint8Array> }).data
    if (data instanceof Uint8Array) this.queue.push(data)
    else for (const part of data) this.queue.push(part)
    if (this.queue.length >= this.needed) this.wake()
    this.flow()
  }

  private readonly onRemoteEnd = (): void => {
    this.remoteEnded = true
    this.wake()
  }

  private readonly onClose = (evt: Event): void => {
    const err = (evt as Event & { error?: Error }).error
    if (err !== undefined) {
      this.failure ??= err instanceof WireError || err instanceof NetError ? err : new NetError('closed', `stream reset: ${err.message}`, this.opts.context, { cause: err })
      this.queue.clear()
    } else {
      this.remoteEnded = true
    }
    this.detach()
  }

  /**
   * Apply the pause decision in a microtask: resume() dispatches buffered data (reaching
   * onMessage) before it re-opens the yamux window, so deciding synchronously there could
   * pause between the two and leave the stream paused with the window open.
   */
  private flow (): void {
    if (this.flowQueued) return
    this.flowQueued = true
    queueMicrotask(() => {
      this.flowQueued = false
      const s = this.stream
      if (s.readStatus !== 'readable' && s.readStatus !== 'paused') return
      const pause = shouldPause({ paused: this.paused, buffered: this.queue.length, needed: this.needed, highWater: this.opts.highWater, lowWater: this.opts.lowWater })
      try {
        if (pause && !this.paused) {
          s.pause()
          this.paused = true
        } else if (!pause && this.paused) {
          this.paused = false
          s.resume()
        }
      } catch {
        // The stream is closing under us: its close event settles the reader.
      }
    })
  }
}

/** A FIFO of byte arrays with cheap partial reads (no copy until `take`). */
class ByteQueue {
  private parts: Uint8Array[] = []
  /** Offset into parts[0]. */
  private head = 0
  length = 0

  push (b: Uint8Array): void {
    if (b.length === 0) return
    this.parts.push(b)
    this.length += b.length
  }

  /** Bytes left in the first part: what `take` can return without copying. */
  get headLength (): number {
    return this.parts.length === 0 ? 0 : this.parts[0].length - this.head
  }

  peek (i: number): number {
    let off = this.head + i
    for (const p of this.parts) {
      if (off < p.length) return p[off]
      off -= p.length
    }
    throw new RangeError(`peek ${i} past ${this.length} buffered bytes`)
  }

  skip (n: number): void {
    this.take(n)
  }

  take (n: number): Uint8Array {
    if (n > this.length) throw new RangeError(`take ${n} of ${this.length} buffered bytes`)
    const first = this.parts[0]
    if (first !== undefined && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n)
      this.advance(n)
      return out
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const p = this.parts[0]
      const k = Math.min(n - filled, p.length - this.head)
      out.set(p.subarray(this.head, this.head + k), filled)
      filled += k
      this.advance(k)
    }
    return out
  }

  clear (): void {
    this.parts = []
    this.head = 0
    this.length = 0
  }

  private advance (n: number): void {
    this.length -= n
    this.head += n
    while (this.parts.length > 0 && this.head >= this.parts[0].length) {
      this.head -= this.parts[0].length
      this.parts.shift()
    }
  }
}
