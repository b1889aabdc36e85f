import type { Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import type { PeerKey } from '../ports/net.ts'

/**
 * One libp2p stream carrying varint-length-prefixed envelopes for one (peer, protocol).
 * Writes are chained so frames leave in call order even when the rate limiter or the
 * stream's send buffer makes one wait.
 */
export class Channel {
  readonly peer: PeerKey
  readonly protocol: string
  readonly stream: Stream
  readonly lp: LengthPrefixedStream<Stream>
  readonly direction: 'inbound' | 'outbound'
  lastWrite: number
  lastRead: number
  private chain: Promise<void> = Promise.resolve()

  constructor (peer: PeerKey, protocol: string, stream: Stream, direction: 'inbound' | 'outbound', maxDataLength: number, now: number) {
    this.peer = peer
    this.protocol = protocol
    this.stream = stream
    this.direction = direction
    // The read buffer must hold a few maximal frames while the actor applies backpressure.
    this.lp = lpStream(stream, { maxDataLength, maxBufferSize: Math.max(4 * 1024 * 1024, 4 * maxDataLength) })
    this.lastWrite = now
    this.lastRead = now
  }

  get open (): boolean {
    return this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /** Queue one frame; `before` runs in queue order first (the rate limiter's wait). */
  async write (frame: Uint8Array, before: () => Promise<void>, now: () => number): Promise<void> {
    const run = this.chain.then(async () => {
      await before()
      await this.lp.write(frame)
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
