import type { Stream } from '@libp2p/interface'
import type { PeerKey } from '../ports/net.ts'
import { READ_HIGH_WATER_BYTES, READ_LOW_WATER_BYTES } from './constants.ts'
import { StreamReader } from './stream-reader.ts'
import { writeFrame } from './stream-writer.ts'

/**
 * One libp2p stream carrying varint-length-prefixed envelopes for one (peer, protocol).
 * Writes are chained so frames leave in call order even when the rate limiter or the
 * stream's send buffer makes one wait. Reads go through a StreamReader, which pauses the
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
  lastRead: number
  private chain: Promise<void> = Promise.resolve()

  constructor (peer: PeerKey, protocol: string, stream: Stream, direction: 'inbound' | 'outbound', maxDataLength: number, now: number) {
    this.peer = peer
    this.protocol = protocol
    this.stream = stream
    this.direction = direction
    this.maxDataLength = maxDataLength
    // The reader must be able to hold one maximal frame before it counts as ahead.
    this.reader = new StreamReader(stream, { highWater: Math.max(READ_HIGH_WATER_BYTES, maxDataLength), lowWater: READ_LOW_WATER_BYTES, context: { peer, protocol } })
    this.lastWrite = now
    this.lastRead = now
  }

  get open (): boolean {
    return this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** The next frame body; null at a clean end of stream. */
  async read (): Promise<Uint8Array | null> {
    return await this.reader.frame(this.maxDataLength)
  }

  /** Queue one frame; `before` runs in queue order first (the rate limiter's wait). */
  async write (frame: Uint8Array, before: () => Promise<void>, now: () => number): Promise<void> {
    const run = this.chain.then(async () => {
      await before()
      await writeFrame(this.stream, frame)
      this.lastWrite = now()
    })
    this.chain = run.catch(() => {})
    await run
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
