import type { Stream } from '@libp2p/interface'
import { NetError, WireError } from '../errors.ts'
import type { BulkSource, BulkWriter, PeerKey } from '../ports/net.ts'
import { BULK_READ_PIECE_BYTES, BULK_WRITE_PIECE_BYTES } from './constants.ts'
import type { StreamReader } from './stream-reader.ts'
import { writeBytes } from './stream-writer.ts'

/**
 * Bulk streams on libp2p: one payload per stream on `<wire id>/bulk`. Layout:
 *
 *   varint length | envelope (kind message, payload = the header, a protocol message)
 *   raw bytes ... until the sender closes its writable end (at most maxBulkBytes)
 *
 * The receiver closes its own writable end once it read the end, so the sender's close()
 * resolves when the receiver has everything; a reset either way fails the other side.
 */
export interface BulkEnds {
  peer: PeerKey
  protocol: string
  stream: Stream
  maxBytes: number
  /** Rate caps (RateLimiter.upload / download), a no-op when none are set. */
  pace: (bytes: number) => Promise<void>
}

/** The sending end. Writes are chained, so they leave in call order even when not awaited. */
export class Libp2pBulkWriter implements BulkWriter {
  private readonly ends: BulkEnds
  private chain: Promise<void> = Promise.resolve()
  private written = 0
  private readonly closed: Promise<void>

  constructor (ends: BulkEnds) {
    this.ends = ends
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.closed = promise
    // Settled by the stream's end: clean when both sides closed, an error on any reset.
    promise.catch(() => {})
    ends.stream.addEventListener('close', (evt: Event) => {
      const err = (evt as Event & { error?: Error }).error
      if (err === undefined) resolve()
      else reject(err instanceof NetError || err instanceof WireError ? err : new NetError('closed', `bulk stream to ${ends.peer} reset: ${err.message}`, this.context(), { cause: err }))
    }, { once: true })
  }

  get bytes (): number {
    return this.written
  }

  async write (chunk: Uint8Array): Promise<void> {
    const run = this.chain.then(async () => {
      const { stream, maxBytes, pace } = this.ends
      for (let off = 0; off < chunk.length; off += BULK_WRITE_PIECE_BYTES) {
        const piece = chunk.subarray(off, Math.min(chunk.length, off + BULK_WRITE_PIECE_BYTES))
        if (this.written + piece.length > maxBytes) {
          const err = new WireError('oversized', `${this.ends.protocol}: bulk payload to ${this.ends.peer} exceeds ${maxBytes} bytes`, { ...this.context(), max: maxBytes })
          stream.abort(err)
          throw err
        }
        await pace(piece.length)
        await writeBytes(stream, piece).catch((err: Error) => { throw this.failed(err) })
        this.written += piece.length
      }
    })
    this.chain = run.catch(() => {})
    await run
  }

  async close (): Promise<void> {
    await this.chain
    const { stream } = this.ends
    if (stream.status === 'open') await stream.close().catch((err: Error) => { throw this.failed(err) })
    await this.closed
  }

  abort (reason = 'sender aborted'): void {
    this.ends.stream.abort(new NetError('closed', reason, this.context()))
  }

  private failed (err: Error): Error {
    if (err instanceof NetError || err instanceof WireError) return err
    return new NetError('closed', `bulk stream to ${this.ends.peer} failed: ${err.message}`, this.context(), { cause: err })
  }

  private context (): Record<string, unknown> {
    return { peer: this.ends.peer, protocol: this.ends.protocol }
  }
}

/**
 * The receiving end. Each step of the iteration pulls from the StreamReader, which pauses
 * the stream while the consumer lags: reading slowly is how a receiver slows the sender.
 * Past maxBytes the stream is reset and `oversized` is called (the host strikes the peer).
 */
export class Libp2pBulkSource implements BulkSource {
  private readonly ends: BulkEnds
  private readonly reader: StreamReader
  private readonly oversized: (err: WireError) => void
  private started = false
  private received = 0

  constructor (ends: BulkEnds, reader: StreamReader, oversized: (err: WireError) => void) {
    this.ends = ends
    this.reader = reader
    this.oversized = oversized
  }

  abort (reason = 'receiver refused the bulk stream'): void {
    this.ends.stream.abort(new NetError('closed', reason, { peer: this.ends.peer, protocol: this.ends.protocol }))
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.started) throw new NetError('closed', 'a bulk source can be read only once', { peer: this.ends.peer, protocol: this.ends.protocol })
    this.started = true
    const { stream, maxBytes, pace, peer, protocol } = this.ends
    let ended = false
    try {
      for (;;) {
        const chunk = await this.reader.chunk(BULK_READ_PIECE_BYTES)
        if (chunk === null) break
        this.received += chunk.length
        if (this.received > maxBytes) {
          const err = new WireError('oversized', `${protocol}: bulk payload from ${peer} exceeds ${maxBytes} bytes`, { peer, protocol, max: maxBytes })
          stream.abort(err)
          this.oversized(err)
          throw err
        }
        await pace(chunk.length)
        yield chunk
      }
      ended = true
    } finally {
      this.reader.detach()
      if (ended) {
        // Tell the sender we have it all (its close() resolves on our end).
        await stream.close().catch(() => {})
      } else if (stream.status === 'open') {
        // The consumer stopped early (break, throw): nobody reads the rest.
        this.abort('receiver stopped reading')
      }
    }
  }
}
