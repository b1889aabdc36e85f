import type { Clock, Timer } from '../ports/clock.ts'
import type { PeerKey } from '../ports/net.ts'

interface Pending<W> {
  resolve: (w: W) => void
  reject: (e: Error) => void
  timer: Timer
  to: PeerKey
}

/**
 * Outstanding requests of one protocol port, keyed by the envelope's request id. Shared by
 * the libp2p and simulated nets so both settle, time out and fail requests the same way:
 * a response counts only from the peer it was sent to, and each request settles once.
 */
export class PendingRequests<W> {
  private nextId = 1
  private readonly table = new Map<number, Pending<W>>()
  private readonly clock: Clock

  constructor (clock: Clock) {
    this.clock = clock
  }

  /** Register a request to `to` with a deadline on the injected clock. */
  open (to: PeerKey, timeoutMs: number, onTimeout: () => Error): { id: number, promise: Promise<W> } {
    const id = this.nextId++
    const { promise, resolve, reject } = Promise.withResolvers<W>()
    const timer = this.clock.setTimer(timeoutMs, () => {
      if (this.table.delete(id)) reject(onTimeout())
    })
    this.table.set(id, { resolve, reject, timer, to })
    return { id, promise }
  }

  /** A response from `from`; ignored for an unknown id or another sender. */
  resolve (from: PeerKey, id: number, msg: W): void {
    this.take(from, id)?.resolve(msg)
  }

  /** An error answer from `from`; ignored for an unknown id or another sender. */
  reject (from: PeerKey, id: number, err: Error): void {
    this.take(from, id)?.reject(err)
  }

  /** The request could not be sent. */
  fail (id: number, err: Error): void {
    const p = this.table.get(id)
    if (p !== undefined) this.take(p.to, id)?.reject(err)
  }

  /** The connection to `peer` closed: its requests will never be answered. */
  failPeer (peer: PeerKey, err: Error): void {
    for (const [id, p] of this.table) if (p.to === peer) this.take(peer, id)?.reject(err)
  }

  /** The port is shutting down. */
  failAll (err: (to: PeerKey) => Error): void {
    for (const [id, p] of this.table) this.take(p.to, id)?.reject(err(p.to))
  }

  private take (from: PeerKey, id: number): Pending<W> | undefined {
    const p = this.table.get(id)
    if (p === undefined || p.to !== from) return undefined
    this.table.delete(id)
    p.timer.cancel()
    return p
  }
}
