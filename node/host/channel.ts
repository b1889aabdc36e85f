import type { Stream } from '@libp2p/interface'
import type { PeerKey } from '../ports/net.ts'
import { StreamReader } from './stream-reader.ts'
import { Uint8ArrayList } from 'uint8arraylist'
import { partsLength } from '../wire/codec.ts'
import { BATCH_JOIN_BELOW_BYTES, READ_HIGH_WATER_BYTES, READ_LOW_WATER_BYTES } from './constants.ts'
import { writeBytes } from './stream-writer.ts'
import { varint } from '../wire/bytes.ts'

/**
 * One libp2p stream carrying varint-length-prefixed envelopes for one (peer, protocol).
 * Writes are chained so frames leave in call order even when the rate limiter makes one
 * wait. Frames whose turn has come are batched: everything queued in one event-loop turn,
 * or while the stream's send buffer drains, goes out as one `send` (one yamux frame, one
 * Noise message, one socket write where sizes allow) instead of two sends per frame (length
 * prefix, body); profiling a 64 MiB two-peer transfer showed per-send muxer, cipher and
 * syscall costs dominating. The batch is a list of parts, not one joined buffer, so a
 * large body (a piece's block) reaches the cipher without being copied (BATCH_JOIN_BELOW_BYTES). A write resolves once its batch has left the stream's write
 * buffer into the receiver's window, so callers keep their backpressure. Reads go through a StreamReader, which pauses the
 * stream while the reader (actor mailbox, download cap) lags, so the sender slows down.
 */
export class Channel {
  readonly peer: PeerKey
  readonly protocol: string
  readonly stream: Stream
  readonly reader: StreamReader
  readonly direction: 'inbound' | 'outbound'
  /** Largest frame body accepted. */
  readonly maxDataLength: number
  lastWrite: number
  /**
   * Last frame either way that was not a keep-alive: what the idle rule looks at. Keep-alives
   * refresh lastWrite, so an idle rule reading it would never fire.
   */
  lastUse: number
  private chain: Promise<void> = Promise.resolve()
  /** Length prefixes and bodies waiting for the next flush, with their writers' settlers. */
  private batch: Uint8Array[] = []
  private waiters: Array<{ resolve: () => void, reject: (err: Error) => void }> = []
  private flushing = false

  constructor (peer: PeerKey, protocol: string, stream: Stream, direction: 'inbound' | 'outbound', maxDataLength: number, now: number) {
    this.peer = peer
    this.protocol = protocol
    this.stream = stream
    this.direction = direction
    this.maxDataLength = maxDataLength
    // The reader must be able to hold one maximal frame before it counts as ahead.
    this.reader = new StreamReader(stream, { highWater: Math.max(READ_HIGH_WATER_BYTES, maxDataLength), lowWater: READ_LOW_WATER_BYTES, context: { peer, protocol } })
    this.lastWrite = now
    this.lastUse = now
  }

  get open (): boolean {
    return this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** The next frame body; null at a clean end of stream. */
  async read (): Promise<Uint8Array | null> {
    return await this.reader.frame(this.maxDataLength)
  }

  /**
   * Queue one frame, given as parts sent back to back (a block stays where the codec left
   * it: the cipher reads it in place, see toList); `before` runs in queue order first (the
   * rate limiter's wait).
   */
  async write (frame: Uint8Array[], before: () => Promise<void>, now: () => number): Promise<void> {
    const turn = this.chain.then(before)
    this.chain = turn.catch(() => {})
    await turn
    // Continuations of `turn` run in chain order, so frames enter the batch in call order.
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.batch.push(varint(partsLength(frame)), ...frame)
    this.waiters.push({ resolve, reject })
    if (!this.flushing) {
      this.flushing = true
      void this.flush(now)
    }
    await promise
  }

  /** Send everything batched, turn after turn, until the batch stays empty. */
  private async flush (now: () => number): Promise<void> {
    try {
      while (this.waiters.length > 0) {
        // One macrotask lets writes queued in this turn (a pump of several pieces, a have
        // after a piece) join the batch; it costs microseconds, not a round trip.
        await new Promise<void>(resolve => { setImmediate(resolve) })
        const bytes = toList(this.batch)
        const waiters = this.waiters
        this.batch = []
        this.waiters = []
        try {
          // Resolves once the batch left the stream's write buffer (into the receiver's
          // window): a reader that paused its stream holds these writers (stream-writer.ts).
          await writeBytes(this.stream, bytes)
          this.lastWrite = now()
          for (const w of waiters) w.resolve()
        } catch (err) {
          for (const w of waiters) w.reject(err as Error)
        }
      }
    } finally {
      this.flushing = false
    }
  }

  abort (err: Error): void {
    this.stream.abort(err)
  }

  async close (): Promise<void> {
    try {
      await this.stream.close()
    } catch (err) {
      this.stream.abort(err as Error)
    }
  }
}

/** The batch as one list: large parts by reference, runs of small ones joined (BATCH_JOIN_BELOW_BYTES). */
function toList (parts: Uint8Array[]): Uint8ArrayList {
  const out = new Uint8ArrayList()
  let run: Uint8Array[] = []
  const join = (): void => {
    if (run.length > 0) out.append(run.length === 1 ? run[0] : Buffer.concat(run))
    run = []
  }
  for (const p of parts) {
    if (p.length < BATCH_JOIN_BELOW_BYTES) { run.push(p); continue }
    join()
    out.append(p)
  }
  join()
  return out
}
