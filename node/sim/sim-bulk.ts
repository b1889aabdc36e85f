import { NetError, WireError } from '../errors.ts'
import type { BulkSource, BulkWriter, NetEvent, PeerKey } from '../ports/net.ts'
import { ByteReader, ByteWriter, varint } from '../wire/bytes.ts'
import type { WireProtocol } from '../wire/codec.ts'
import { decodeEnvelope, encodeEnvelope } from '../wire/envelope.ts'

/**
 * Bulk streams on the simulated network, with the libp2p semantics (node/host/bulk-stream.ts):
 * a header message, raw bytes up to maxBulkBytes, backpressure from the reader, a reset
 * and a strike past the cap, close() resolving once the receiver read everything.
 *
 * Every piece travels as a frame through SimNetwork.transmit, so uplink/downlink capacity,
 * fair sharing and latency apply as to messages. Frames are exempt from the loss model:
 * a stream is reliable (TCP retransmits; loss shows as delay, not as holes in a payload).
 * Backpressure is a credit window, as yamux does it: the sender may have SIM_BULK_WINDOW
 * bytes unread at the receiver, and the receiver returns credit as its consumer reads.
 *
 * Sim-only frame layout (`<wire id>/bulk`):
 *
 *   u8 kind | varint stream id (the opener's) | body
 *   kind 0 open     body: envelope (message) carrying the header
 *   kind 1 data     body: raw bytes
 *   kind 2 end      (opener -> receiver) no more data
 *   kind 3 reset    (opener -> receiver) body: UTF-8 reason
 *   kind 4 credit   (receiver -> opener) body: varint bytes read
 *   kind 5 refuse   (receiver -> opener) body: UTF-8 reason; the receiver reset the stream
 *   kind 6 done     (receiver -> opener) the receiver read to the end
 */

/** Unread bytes a sender may have in flight: yamux's initial stream window. */
export const SIM_BULK_WINDOW_BYTES = 256 * 1024
/** Bytes per data frame: one transmit each, small enough to interleave with other traffic. */
export const SIM_BULK_PIECE_BYTES = 64 * 1024

const OPEN = 0
const DATA = 1
const END = 2
const RESET = 3
const CREDIT = 4
const REFUSE = 5
const DONE = 6

/** What a bulk endpoint needs from its SimPort. */
export interface SimBulkHost<W> {
  readonly self: PeerKey
  readonly wire: WireProtocol<W>
  readonly protocol: string
  readonly maxBytes: number
  /** Transmit one bulk frame (reliable), connecting first if needed; throws NetError. */
  transmit(to: PeerKey, frame: Uint8Array): void
  strike(peer: PeerKey, reason: string): void
  /** Hand an event to the actor, in order after earlier events from `from`. */
  deliver(from: PeerKey, ev: NetEvent<W>): Promise<void>
}

export class SimBulk<W> {
  private readonly host: SimBulkHost<W>
  private nextId = 1
  private readonly out = new Map<string, SimBulkWriter<W>>()
  private readonly in = new Map<string, SimBulkSource<W>>()

  constructor (host: SimBulkHost<W>) {
    this.host = host
  }

  async open (to: PeerKey, header: W): Promise<BulkWriter> {
    const { wire } = this.host
    if (to === this.host.self) throw new NetError('unreachable', 'cannot send to self', { peer: to })
    const payload = wire.codec.encode(header)
    if (payload.length > wire.maxMessageBytes) {
      throw new WireError('oversized', `${wire.id}: bulk header of ${payload.length} bytes exceeds ${wire.maxMessageBytes}`, { protocol: wire.id })
    }
    const id = this.nextId++
    this.host.transmit(to, frame(OPEN, id, encodeEnvelope({ kind: 'message', payload })))
    const w = new SimBulkWriter(this, to, id)
    this.out.set(key(to, id), w)
    return w
  }

  /** One bulk frame from `from`. */
  receive (from: PeerKey, bytes: Uint8Array): void {
    let kind: number
    let id: number
    let body: Uint8Array
    try {
      const r = new ByteReader(bytes, 'sim bulk frame')
      kind = r.u8('kind')
      id = r.varint('stream id')
      body = r.raw(r.remaining)
    } catch {
      this.host.strike(from, 'malformed bulk frame')
      return
    }
    const k = key(from, id)
    switch (kind) {
      case OPEN: this.accept(from, id, body); return
      case DATA: this.in.get(k)?.push(body); return
      case END: this.in.get(k)?.end(); return
      case RESET: this.in.get(k)?.fail(new NetError('closed', `bulk stream reset by ${from}: ${text(body)}`, { peer: from, protocol: this.host.protocol })); return
      case CREDIT: {
        const n = readVarint(body)
        if (n === undefined) this.host.strike(from, 'malformed bulk credit')
        else this.out.get(k)?.credit(n)
        return
      }
      case REFUSE: this.out.get(k)?.fail(new NetError('closed', `bulk stream reset by ${from}: ${text(body)}`, { peer: from, protocol: this.host.protocol })); return
      case DONE: this.out.get(k)?.done(); return
      default: this.host.strike(from, `unknown bulk frame kind ${kind}`)
    }
  }

  /** The connection to `peer` dropped: every stream with it fails. */
  peerGone (peer: PeerKey): void {
    const err = new NetError('closed', `connection to ${peer} closed`, { peer, protocol: this.host.protocol })
    for (const w of [...this.out.values()]) if (w.peer === peer) w.fail(err)
    for (const s of [...this.in.values()]) if (s.peer === peer) s.fail(err)
  }

  /** Every stream fails (the host stopped or crashed). */
  shutdown (): void {
    const err = new NetError('closed', 'peer stopping', { protocol: this.host.protocol })
    for (const w of [...this.out.values()]) w.fail(err)
    for (const s of [...this.in.values()]) s.fail(err)
  }

  private accept (from: PeerKey, id: number, body: Uint8Array): void {
    let header: W
    try {
      const env = decodeEnvelope(body)
      if (env.kind !== 'message') throw new WireError('invalid', `bulk header must be a message envelope, got ${env.kind}`)
      if (env.payload.length > this.host.wire.maxMessageBytes) throw new WireError('oversized', `bulk header of ${env.payload.length} bytes`)
      header = this.host.wire.codec.decode(env.payload)
    } catch (err) {
      this.send(from, frame(REFUSE, id, utf8('malformed header')))
      this.host.strike(from, `malformed bulk header: ${(err as Error).message}`)
      return
    }
    const source = new SimBulkSource(this, from, id)
    this.in.set(key(from, id), source)
    this.host.deliver(from, { type: 'net:bulk', from, header, source }).catch((err: Error) => { source.abort(`actor did not take the bulk stream: ${err.message}`) })
  }

  // ---- used by the two ends ----

  maxBytes (): number {
    return this.host.maxBytes
  }

  protocol (): string {
    return this.host.protocol
  }

  send (to: PeerKey, f: Uint8Array): void {
    this.host.transmit(to, f)
  }

  /** Best effort (the peer may be gone already). */
  trySend (to: PeerKey, f: Uint8Array): void {
    try { this.host.transmit(to, f) } catch { /* nobody left to tell */ }
  }

  strike (peer: PeerKey, reason: string): void {
    this.host.strike(peer, reason)
  }

  forgetOut (peer: PeerKey, id: number): void {
    this.out.delete(key(peer, id))
  }

  forgetIn (peer: PeerKey, id: number): void {
    this.in.delete(key(peer, id))
  }
}

class SimBulkWriter<W> implements BulkWriter {
  readonly peer: PeerKey
  private readonly owner: SimBulk<W>
  private readonly id: number
  private written = 0
  private window = SIM_BULK_WINDOW_BYTES
  private failure: Error | undefined
  private closing = false
  private chain: Promise<void> = Promise.resolve()
  private creditWaiter: (() => void) | undefined
  private readonly finished = Promise.withResolvers<void>()

  constructor (owner: SimBulk<W>, peer: PeerKey, id: number) {
    this.owner = owner
    this.peer = peer
    this.id = id
    this.finished.promise.catch(() => {})
  }

  get bytes (): number {
    return this.written
  }

  async write (chunk: Uint8Array): Promise<void> {
    const run = this.chain.then(async () => {
      for (let off = 0; off < chunk.length; off += SIM_BULK_PIECE_BYTES) {
        const piece = chunk.subarray(off, Math.min(chunk.length, off + SIM_BULK_PIECE_BYTES))
        this.check()
        if (this.written + piece.length > this.owner.maxBytes()) {
          const err = new WireError('oversized', `${this.owner.protocol()}: bulk payload to ${this.peer} exceeds ${this.owner.maxBytes()} bytes`, { peer: this.peer, max: this.owner.maxBytes() })
          this.abort(err.message)
          throw err
        }
        while (this.window < piece.length) {
          await new Promise<void>(resolve => { this.creditWaiter = resolve })
          this.check()
        }
        this.window -= piece.length
        this.owner.send(this.peer, frame(DATA, this.id, piece))
        this.written += piece.length
      }
    })
    this.chain = run.catch(() => {})
    await run
  }

  async close (): Promise<void> {
    await this.chain
    this.check()
    if (!this.closing) {
      this.closing = true
      this.owner.send(this.peer, frame(END, this.id, new Uint8Array(0)))
    }
    await this.finished.promise
  }

  abort (reason = 'sender aborted'): void {
    if (this.failure !== undefined) return
    this.owner.trySend(this.peer, frame(RESET, this.id, utf8(reason)))
    this.fail(new NetError('closed', reason, { peer: this.peer, protocol: this.owner.protocol() }))
  }

  credit (n: number): void {
    this.window += n
    const w = this.creditWaiter
    this.creditWaiter = undefined
    w?.()
  }

  done (): void {
    this.owner.forgetOut(this.peer, this.id)
    this.finished.resolve()
  }

  fail (err: Error): void {
    if (this.failure !== undefined) return
    this.failure = err
    this.owner.forgetOut(this.peer, this.id)
    this.finished.reject(err)
    this.credit(0)
  }

  private check (): void {
    if (this.failure !== undefined) throw this.failure
  }
}

class SimBulkSource<W> implements BulkSource {
  readonly peer: PeerKey
  private readonly owner: SimBulk<W>
  private readonly id: number
  private readonly queue: Uint8Array[] = []
  private ended = false
  private failure: Error | undefined
  private waiter: (() => void) | undefined
  private received = 0
  private started = false

  constructor (owner: SimBulk<W>, peer: PeerKey, id: number) {
    this.owner = owner
    this.peer = peer
    this.id = id
  }

  push (bytes: Uint8Array): void {
    if (this.failure !== undefined || this.ended) return
    this.received += bytes.length
    if (this.received > this.owner.maxBytes()) {
      const err = new WireError('oversized', `${this.owner.protocol()}: bulk payload from ${this.peer} exceeds ${this.owner.maxBytes()} bytes`, { peer: this.peer, max: this.owner.maxBytes() })
      this.owner.trySend(this.peer, frame(REFUSE, this.id, utf8(err.message)))
      this.fail(err)
      this.owner.strike(this.peer, `${err.code}: ${err.message}`)
      return
    }
    this.queue.push(bytes)
    this.wake()
  }

  end (): void {
    this.ended = true
    this.wake()
  }

  fail (err: Error): void {
    if (this.failure !== undefined) return
    this.failure = err
    this.queue.length = 0
    this.owner.forgetIn(this.peer, this.id)
    this.wake()
  }

  abort (reason = 'receiver refused the bulk stream'): void {
    if (this.failure !== undefined) return
    this.owner.trySend(this.peer, frame(REFUSE, this.id, utf8(reason)))
    this.fail(new NetError('closed', reason, { peer: this.peer, protocol: this.owner.protocol() }))
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.started) throw new NetError('closed', 'a bulk source can be read only once', { peer: this.peer })
    this.started = true
    let complete = false
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure
        const next = this.queue.shift()
        if (next !== undefined) {
          // Reading frees window at the sender: that is the backpressure.
          this.owner.trySend(this.peer, frame(CREDIT, this.id, varint(next.length)))
          yield next
          continue
        }
        if (this.ended) break
        await new Promise<void>(resolve => { this.waiter = resolve })
      }
      complete = true
      this.owner.forgetIn(this.peer, this.id)
      this.owner.trySend(this.peer, frame(DONE, this.id, new Uint8Array(0)))
    } finally {
      if (!complete) this.abort('receiver stopped reading')
    }
  }

  private wake (): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }
}

function key (peer: PeerKey, id: number): string {
  return `${peer}\n${id}`
}

function frame (kind: number, id: number, body: Uint8Array): Uint8Array {
  return new ByteWriter(body.length + 8).u8(kind).varint(id).raw(body).finish()
}


function readVarint (b: Uint8Array): number | undefined {
  try {
    return new ByteReader(b, 'sim bulk credit').varint('credit')
  } catch {
    return undefined
  }
}

function utf8 (s: string): Uint8Array {
  return new TextEncoder().encode(s.slice(0, 256))
}

function text (b: Uint8Array): string {
  return new TextDecoder().decode(b)
}
