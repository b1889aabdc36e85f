import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { NetError, WireError } from '../errors.ts'
import type { Clock, Timer } from '../ports/clock.ts'
import type { Logger } from '../ports/logger.ts'
import { asPeerKey, type BulkWriter, type NetEvent, type NetPort, type PeerKey, type RequestOptions, type Responder } from '../ports/net.ts'
import type { NetProvider } from '../ports/net-provider.ts'
import { encodeChecked, partsLength, type WireProtocol } from '../wire/codec.ts'
import { PendingRequests } from '../wire/pending-requests.ts'
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeParts, type Envelope } from '../wire/envelope.ts'
import type { BanList } from './ban-list.ts'
import { Libp2pBulkSource, Libp2pBulkWriter, type BulkEnds } from './bulk-stream.ts'
import { Channel } from './channel.ts'
import {
  BULK_HEADER_TIMEOUT_MS, BULK_PROTOCOL_SUFFIX, CHANNEL_IDLE_CLOSE_MS, ENVELOPE_OVERHEAD_BYTES, KEEPALIVE_INTERVAL_MS, MAX_BULK_STREAMS,
  MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, READ_HIGH_WATER_BYTES, READ_LOW_WATER_BYTES
} from './constants.ts'
import type { RateLimiter } from './rate-limiter.ts'
import { StreamReader } from './stream-reader.ts'
import { writeFrame } from './stream-writer.ts'

export interface Libp2pNetOptions {
  libp2p: Libp2p
  clock: Clock
  logger: Logger
  banList: BanList
  limiter: RateLimiter
  requestTimeoutMs: number
  dialTimeoutMs: number
}

type ConnEvent = Extract<NetEvent<never>, { type: 'net:connect' | 'net:disconnect' }>

const KEEPALIVE_FRAME = [encodeEnvelope({ kind: 'keepalive' })]

/**
 * The NetProvider over libp2p: one registered protocol per actor wire protocol, frames as
 * varint-length-prefixed envelopes, one ordered channel per (peer, protocol) reused by
 * both sides, request/response by envelope id, strikes and bans for malformed frames,
 * rate caps, keep-alives. Connection events reach every port.
 */
export class Libp2pNet implements NetProvider {
  readonly self: PeerKey
  readonly libp2p: Libp2p
  readonly clock: Clock
  readonly log: Logger
  readonly banList: BanList
  readonly limiter: RateLimiter
  readonly requestTimeoutMs: number
  readonly dialTimeoutMs: number
  private readonly ports = new Map<string, Libp2pPort<any>>()
  private readonly anonymous: Array<Libp2pPort<any>> = []
  private readonly registrations: Array<Promise<void>> = []
  /** The channel each (peer, protocol) writes on. */
  private readonly channels = new Map<string, Channel>()
  /** Every live stream of ours, for keep-alive and shutdown. */
  private readonly live = new Set<Channel>()
  /** Bulk streams in either direction, for bans and shutdown. */
  private readonly bulks = new Set<{ peer: PeerKey, stream: Stream }>()
  private readonly opening = new Map<string, Promise<Channel>>()
  private readonly addrs = new Map<PeerKey, string[]>()
  private sweep?: Timer
  private stopped = false
  private readonly listeners: Array<[string, (e: any) => void]> = []

  constructor (opts: Libp2pNetOptions) {
    this.libp2p = opts.libp2p
    this.self = asPeerKey(opts.libp2p.peerId.toString())
    this.clock = opts.clock
    this.log = opts.logger
    this.banList = opts.banList
    this.limiter = opts.limiter
    this.requestTimeoutMs = opts.requestTimeoutMs
    this.dialTimeoutMs = opts.dialTimeoutMs
    this.on('peer:connect', (e: CustomEvent<PeerId>) => { this.emitAll({ type: 'net:connect', peer: asPeerKey(e.detail.toString()) }) })
    this.on('peer:disconnect', (e: CustomEvent<PeerId>) => { this.peerGone(asPeerKey(e.detail.toString())) })
    this.on('peer:update', (e: CustomEvent<{ peer: { id: PeerId, addresses: Array<{ multiaddr: { toString: () => string } }> } }>) => {
      const p = e.detail.peer
      this.addrs.set(asPeerKey(p.id.toString()), p.addresses.map(a => a.multiaddr.toString()))
    })
    this.sweep = this.clock.setPeriodic(KEEPALIVE_INTERVAL_MS / 2, () => { this.keepAlive() })
  }

  private on (name: string, fn: (e: any) => void): void {
    this.libp2p.addEventListener(name as any, fn)
    this.listeners.push([name, fn])
  }

  port<W> (wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>): NetPort<W> {
    const p = new Libp2pPort<W>(this, wire, deliver)
    if (wire === undefined) {
      this.anonymous.push(p)
      return p
    }
    if (this.ports.has(wire.id)) throw new NetError('closed', `protocol ${wire.id} is already handled on this peer`, { protocol: wire.id })
    this.ports.set(wire.id, p)
    this.registrations.push(this.libp2p.handle(wire.id, (stream: Stream, conn: Connection) => {
      const ch = this.adopt(asPeerKey(conn.remotePeer.toString()), wire, stream, 'inbound')
      void p.readLoop(ch)
    }, { maxInboundStreams: MAX_INBOUND_STREAMS, maxOutboundStreams: MAX_OUTBOUND_STREAMS, runOnLimitedConnection: true }).catch((err: Error) => {
      this.log.error('cannot register protocol handler', { protocol: wire.id, error: err })
    }))
    if (wire.maxBulkBytes !== undefined) {
      const bulkId = wire.id + BULK_PROTOCOL_SUFFIX
      this.registrations.push(this.libp2p.handle(bulkId, (stream: Stream, conn: Connection) => {
        void p.acceptBulk(asPeerKey(conn.remotePeer.toString()), stream)
      }, { maxInboundStreams: MAX_BULK_STREAMS, maxOutboundStreams: MAX_BULK_STREAMS, runOnLimitedConnection: true }).catch((err: Error) => {
        this.log.error('cannot register protocol handler', { protocol: bulkId, error: err })
      }))
    }
    return p
  }

  /** Track a bulk stream (either direction) until it closes. */
  trackBulk (peer: PeerKey, stream: Stream): void {
    const entry = { peer, stream }
    this.bulks.add(entry)
    stream.addEventListener('close', () => { this.bulks.delete(entry) }, { once: true })
  }

  /** The ends of a bulk stream, paced by the rate caps in its direction. */
  bulkEnds (peer: PeerKey, protocol: string, stream: Stream, maxBytes: number, direction: 'in' | 'out'): BulkEnds {
    const pace = direction === 'out'
      ? async (n: number) => { await this.limiter.upload(peer, n) }
      : async (n: number) => { if (this.limiter.active) await this.limiter.download(peer, n) }
    return { peer, protocol, stream, maxBytes, pace }
  }

  /** Resolves once every protocol handler is registered with libp2p. */
  async ready (): Promise<void> {
    await Promise.all(this.registrations)
  }

  /** Warm the address cache from the (persistent) peer store. */
  async loadAddressBook (): Promise<number> {
    const peers = await this.libp2p.peerStore.all()
    for (const p of peers) this.addrs.set(asPeerKey(p.id.toString()), p.addresses.map(a => a.multiaddr.toString()))
    return peers.length
  }

  addressesOf (peer: PeerKey): string[] {
    const known = this.addrs.get(peer) ?? []
    const live = this.libp2p.getConnections(peerIdFromString(peer)).map(c => c.remoteAddr.toString())
    return [...new Set([...live, ...known])]
  }

  connectedPeers (): PeerKey[] {
    return this.libp2p.getPeers().map(p => asPeerKey(p.toString()))
  }

  private key (peer: PeerKey, protocol: string): string {
    return `${peer}\n${protocol}`
  }

  /** Track a stream (either direction); it becomes the write channel if none is open. */
  adopt<W> (peer: PeerKey, wire: WireProtocol<W>, stream: Stream, direction: 'inbound' | 'outbound'): Channel {
    const ch = new Channel(peer, wire.id, stream, direction, wire.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES, this.clock.now())
    this.live.add(ch)
    const k = this.key(peer, wire.id)
    const cur = this.channels.get(k)
    if (cur === undefined || !cur.open) this.channels.set(k, ch)
    stream.addEventListener('close', () => { this.retire(ch) }, { once: true })
    return ch
  }

  retire (ch: Channel): void {
    this.live.delete(ch)
    const k = this.key(ch.peer, ch.protocol)
    if (this.channels.get(k) === ch) this.channels.delete(k)
  }

  /** The channel to write to `peer` on `wire`: the open one, or a new stream (dialling if needed). */
  async channelFor<W> (peer: PeerKey, wire: WireProtocol<W>, port: Libp2pPort<W>): Promise<Channel> {
    if (this.stopped) throw new NetError('closed', 'this peer is stopping', { peer })
    if (this.banList.isBanned(peer)) throw new NetError('banned', `peer ${peer} is banned for this session`, { peer })
    const k = this.key(peer, wire.id)
    const cur = this.channels.get(k)
    if (cur !== undefined && cur.open) return cur
    const pending = this.opening.get(k)
    if (pending !== undefined) return await pending
    const open = this.openChannel(peer, wire, port)
    this.opening.set(k, open)
    try {
      return await open
    } finally {
      this.opening.delete(k)
    }
  }

  private async openChannel<W> (peer: PeerKey, wire: WireProtocol<W>, port: Libp2pPort<W>): Promise<Channel> {
    const stream = await this.dialStream(peer, wire.id)
    const ch = this.adopt(peer, wire, stream, 'outbound')
    void port.readLoop(ch)
    return ch
  }

  /** Open a stream of `protocol` to `peer`, dialling it if needed (its address must be known). */
  async dialStream (peer: PeerKey, protocol: string): Promise<Stream> {
    if (this.stopped) throw new NetError('closed', 'this peer is stopping', { peer })
    if (this.banList.isBanned(peer)) throw new NetError('banned', `peer ${peer} is banned for this session`, { peer })
    const id = parsePeer(peer)
    if (this.libp2p.getConnections(id).length === 0 && this.addressesOf(peer).length === 0) {
      const stored = await this.libp2p.peerStore.get(id).catch(() => undefined)
      if (stored === undefined || stored.addresses.length === 0) {
        throw new NetError('not-connected', `not connected to ${peer} and no known address`, { peer, protocol })
      }
    }
    try {
      // libp2p's dial ignores limited (relayed) connections and dials anew, which fails
      // for a peer reachable only through a relay: open the stream on a live one instead.
      const conn = openConnectionTo(this.libp2p.getConnections(id))
      const signal = AbortSignal.timeout(this.dialTimeoutMs)
      if (conn !== undefined) return await conn.newStream(protocol, { signal, runOnLimitedConnection: true })
      return await this.libp2p.dialProtocol(id, protocol, { signal, runOnLimitedConnection: true })
    } catch (err) {
      if (this.banList.isBanned(peer)) throw new NetError('banned', `peer ${peer} is banned for this session`, { peer })
      throw new NetError('unreachable', `cannot open ${protocol} to ${peer}: ${(err as Error).message}`, { peer, protocol }, { cause: err })
    }
  }

  /** Write one frame (as parts) to `peer`; a stream that died under us is replaced once. */
  async writeFrame<W> (peer: PeerKey, wire: WireProtocol<W>, port: Libp2pPort<W>, frame: Uint8Array[]): Promise<void> {
    const bytes = partsLength(frame)
    for (let attempt = 0; ; attempt++) {
      const ch = await this.channelFor(peer, wire, port)
      try {
        await ch.write(frame, async () => { await this.limiter.upload(peer, bytes) }, () => this.clock.now())
        ch.lastUse = this.clock.now()
        return
      } catch (err) {
        this.retire(ch)
        if (attempt >= 1 || this.stopped) {
          throw new NetError('closed', `stream ${wire.id} to ${peer} failed: ${(err as Error).message}`, { peer, protocol: wire.id }, { cause: err })
        }
      }
    }
  }

  /** Count a strike; at the limit hang up and ban for the session. */
  strike (peer: PeerKey, reason: string): void {
    const d = this.banList.strike(peer)
    if (d.action === 'already-banned') return
    this.log.warn('strike', { peer, reason, strikes: d.strikes, limit: this.banList.limit })
    if (d.action === 'ban') {
      this.banList.ban(peer, reason)
      this.log.warn('banned peer for this session', { peer, reason, strikes: d.strikes })
      for (const ch of [...this.live]) if (ch.peer === peer) ch.abort(new NetError('banned', `peer ${peer} banned`, { peer }))
      for (const b of [...this.bulks]) if (b.peer === peer) b.stream.abort(new NetError('banned', `peer ${peer} banned`, { peer }))
      this.libp2p.hangUp(parsePeer(peer)).catch((err: Error) => { this.log.debug('hang up failed', { peer, error: err }) })
    }
  }

  private emitAll (ev: ConnEvent): void {
    for (const p of [...this.ports.values(), ...this.anonymous]) p.emit(ev)
  }

  private peerGone (peer: PeerKey): void {
    for (const ch of [...this.live]) if (ch.peer === peer) this.retire(ch)
    this.limiter.forget(peer)
    this.emitAll({ type: 'net:disconnect', peer })
  }

  /** Keep busy-but-quiet streams alive (libp2p kills silent ones) and close long-idle ones. */
  private keepAlive (): void {
    const now = this.clock.now()
    for (const ch of [...this.live]) {
      if (!ch.open) continue
      if (now - ch.lastUse >= CHANNEL_IDLE_CLOSE_MS) {
        this.retire(ch)
        void ch.close()
        continue
      }
      if (now - ch.lastWrite >= KEEPALIVE_INTERVAL_MS) {
        ch.write(KEEPALIVE_FRAME, async () => {}, () => this.clock.now()).catch(() => { this.retire(ch) })
      }
    }
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.sweep?.cancel()
    for (const [name, fn] of this.listeners) this.libp2p.removeEventListener(name as any, fn)
    for (const p of [...this.ports.values(), ...this.anonymous]) p.shutdown()
    for (const ch of [...this.live]) ch.abort(new NetError('closed', 'peer stopping'))
    for (const b of [...this.bulks]) b.stream.abort(new NetError('closed', 'peer stopping'))
    this.live.clear()
    this.bulks.clear()
    this.channels.clear()
  }
}

function parsePeer (peer: PeerKey): PeerId {
  try {
    return peerIdFromString(peer)
  } catch (err) {
    throw new NetError('unreachable', `not a peer id: ${peer}`, { peer }, { cause: err })
  }
}

/** One actor's view of the libp2p net. */
class Libp2pPort<W> implements NetPort<W> {
  private readonly net: Libp2pNet
  private readonly wire: WireProtocol<W> | undefined
  private readonly deliver: (ev: NetEvent<W>) => Promise<void>
  private readonly pending: PendingRequests<W>
  /** Per-peer delivery chain: events from one peer reach the actor in order, with backpressure. */
  private readonly chains = new Map<PeerKey, Promise<void>>()
  private closed = false

  constructor (net: Libp2pNet, wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>) {
    this.net = net
    this.wire = wire
    this.deliver = deliver
    this.pending = new PendingRequests<W>(net.clock)
  }

  get self (): PeerKey {
    return this.net.self
  }

  emit (ev: ConnEvent): void {
    if (ev.type === 'net:disconnect') {
      this.pending.failPeer(ev.peer, new NetError('closed', `connection to ${ev.peer} closed`, { peer: ev.peer }))
    }
    void this.enqueue(ev.peer, ev).catch(() => {})
    if (ev.type === 'net:disconnect') {
      // Let the chain finish, then free it: a departed peer must not pin memory.
      const tail = this.chains.get(ev.peer)
      void tail?.then(() => { if (this.chains.get(ev.peer) === tail) this.chains.delete(ev.peer) })
    }
  }

  /** Deliver after everything already queued from this peer; resolves when the actor took it. */
  private async enqueue (from: PeerKey, ev: NetEvent<W>): Promise<void> {
    if (this.closed) return
    const prev = this.chains.get(from) ?? Promise.resolve()
    const next = prev.then(async () => { await this.deliver(ev) })
    this.chains.set(from, next.catch(() => {}))
    await next
  }

  shutdown (): void {
    this.closed = true
    this.pending.failAll(to => new NetError('closed', 'peer stopping', { peer: to }))
    this.chains.clear()
  }

  private need (): WireProtocol<W> {
    if (this.wire === undefined) throw new NetError('closed', 'this actor has no wire protocol')
    return this.wire
  }

  private encode (msg: W): Uint8Array {
    const wire = this.need()
    const bytes = wire.codec.encode(msg)
    if (bytes.length > wire.maxMessageBytes) {
      throw new WireError('oversized', `${wire.id}: outgoing message of ${bytes.length} bytes exceeds ${wire.maxMessageBytes}`, { protocol: wire.id, bytes: bytes.length })
    }
    return bytes
  }

  private async frame (to: PeerKey, env: Envelope | Uint8Array[]): Promise<void> {
    if (to === this.self) throw new NetError('unreachable', 'cannot send to self', { peer: to })
    await this.net.writeFrame(to, this.need(), this, Array.isArray(env) ? env : [encodeEnvelope(env)])
  }

  async send (to: PeerKey, msg: W): Promise<void> {
    await this.frame(to, encodeEnvelopeParts('message', 0, encodeChecked(this.need(), msg)))
  }

  async request (to: PeerKey, msg: W, opts: RequestOptions = {}): Promise<W> {
    const payload = this.encode(msg)
    const timeoutMs = opts.timeoutMs ?? this.net.requestTimeoutMs
    const { id, promise } = this.pending.open(to, timeoutMs, () =>
      new NetError('timeout', `request ${this.wire?.id} to ${to} timed out after ${timeoutMs} ms`, { peer: to, timeoutMs, protocol: this.wire?.id }))
    this.frame(to, { kind: 'request', id, payload }).catch((err: Error) => { this.pending.fail(id, err) })
    return await promise
  }

  async connect (target: PeerKey | string | string[]): Promise<PeerKey> {
    const list = Array.isArray(target) ? target : [target]
    const errors: string[] = []
    for (const t of list) {
      try {
        const dialTarget = t.startsWith('/') ? multiaddr(t) : parsePeer(asPeerKey(t))
        // A peer with a live connection (relayed ones too: libp2p dials past them) is connected,
        // unless the target is a direct address, which may upgrade a relayed connection.
        const peerId = t.startsWith('/') ? (t.includes('/p2p-circuit') ? relayedPeer(t) : undefined) : dialTarget as PeerId
        const live = peerId !== undefined ? openConnectionTo(this.net.libp2p.getConnections(peerId)) : undefined
        if (live !== undefined) return asPeerKey(live.remotePeer.toString())
        const conn = await this.net.libp2p.dial(dialTarget, { signal: AbortSignal.timeout(this.net.dialTimeoutMs) })
        return asPeerKey(conn.remotePeer.toString())
      } catch (err) {
        errors.push(`${t}: ${(err as Error).message}`)
      }
    }
    throw new NetError('dial-failed', `cannot connect: ${errors.join('; ')}`, { target })
  }

  async disconnect (peer: PeerKey): Promise<void> {
    await this.net.libp2p.hangUp(parsePeer(peer))
  }

  connected (): PeerKey[] {
    return this.net.connectedPeers()
  }

  addresses (peer?: PeerKey): string[] {
    if (peer === undefined) return this.net.libp2p.getMultiaddrs().map(a => a.toString())
    return this.net.addressesOf(peer)
  }

  strike (peer: PeerKey, reason: string): void {
    this.net.strike(peer, reason)
  }

  /**
   * Read frames until the stream ends. Each frame is decoded and handed to the actor, and
   * the next is not read until the actor accepted it (mailbox backpressure). A malformed
   * or oversized frame resets the stream and strikes the sender.
   */
  async readLoop (ch: Channel): Promise<void> {
    const wire = this.need()
    const peer = ch.peer
    for (;;) {
      let bytes: Uint8Array | null
      try {
        bytes = await ch.read()
      } catch (err) {
        if (err instanceof WireError && err.code === 'oversized') {
          this.malformed(ch, new WireError('oversized', `${wire.id}: frame from ${peer} exceeds ${wire.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES} bytes`, { peer, protocol: wire.id }))
          return
        }
        bytes = null
      }
      if (bytes === null) {
        // EOF or reset: the channel is gone; close our side so the remote's reader ends too.
        this.net.retire(ch)
        if (ch.stream.status === 'open') void ch.close()
        return
      }
      const readAt = this.net.clock.now()
      if (this.net.limiter.active) await this.net.limiter.download(peer, bytes.length)
      let env: Envelope
      let msg: W | undefined
      try {
        env = decodeEnvelope(bytes)
        if (env.kind !== 'keepalive') ch.lastUse = readAt
        if (env.kind === 'message' || env.kind === 'request' || env.kind === 'response') msg = wire.codec.decode(env.payload)
      } catch (err) {
        const we = err instanceof WireError ? err : new WireError('invalid', `${wire.id}: ${(err as Error).message}`)
        this.malformed(ch, we)
        return
      }
      try {
        await this.dispatch(peer, env, msg)
      } catch (err) {
        // The actor stopped: nobody will read this stream again.
        this.net.log.debug('inbound frame not delivered', { peer, protocol: wire.id, error: err as Error })
        this.net.retire(ch)
        ch.abort(err as Error)
        return
      }
    }
  }

  private malformed (ch: Channel, err: WireError): void {
    this.net.retire(ch)
    this.resetAndStrike(ch.peer, ch.stream, err)
  }

  private resetAndStrike (peer: PeerKey, stream: Stream, err: WireError): void {
    this.net.log.warn('malformed frame: stream reset', { peer, protocol: stream.protocol, code: err.code, error: err.message })
    stream.abort(err)
    this.net.strike(peer, `${err.code}: ${err.message}`)
  }

  async openBulk (to: PeerKey, header: W): Promise<BulkWriter> {
    const wire = this.need()
    const max = wire.maxBulkBytes
    if (max === undefined) throw new NetError('closed', `${wire.id} has no bulk path (no maxBulkBytes)`, { protocol: wire.id })
    if (to === this.self) throw new NetError('unreachable', 'cannot send to self', { peer: to })
    const frame = encodeEnvelope({ kind: 'message', payload: this.encode(header) })
    const protocol = wire.id + BULK_PROTOCOL_SUFFIX
    const stream = await this.net.dialStream(to, protocol)
    this.net.trackBulk(to, stream)
    const ends = this.net.bulkEnds(to, protocol, stream, max, 'out')
    try {
      await ends.pace(frame.length)
      await writeFrame(stream, frame)
    } catch (err) {
      stream.abort(err as Error)
      throw new NetError('closed', `bulk stream ${protocol} to ${to} failed: ${(err as Error).message}`, { peer: to, protocol }, { cause: err })
    }
    return new Libp2pBulkWriter(ends)
  }

  /**
   * An inbound bulk stream: read and decode its header frame (within a deadline), then hand
   * the actor a source over the rest. A bad header or an oversized payload resets the
   * stream and strikes the sender, as a malformed frame does.
   */
  async acceptBulk (peer: PeerKey, stream: Stream): Promise<void> {
    const wire = this.need()
    const max = wire.maxBulkBytes ?? 0
    const protocol = stream.protocol
    if (this.closed || this.net.banList.isBanned(peer)) {
      stream.abort(new NetError(this.closed ? 'closed' : 'banned', `bulk stream from ${peer} refused`, { peer, protocol }))
      return
    }
    this.net.trackBulk(peer, stream)
    const reader = new StreamReader(stream, { highWater: READ_HIGH_WATER_BYTES, lowWater: READ_LOW_WATER_BYTES, context: { peer, protocol } })
    const deadline = this.net.clock.setTimer(BULK_HEADER_TIMEOUT_MS, () => {
      stream.abort(new NetError('timeout', `no bulk header from ${peer} within ${BULK_HEADER_TIMEOUT_MS} ms`, { peer, protocol }))
    })
    let header: W
    try {
      const bytes = await reader.frame(wire.maxMessageBytes + ENVELOPE_OVERHEAD_BYTES)
      if (bytes === null) throw new WireError('truncated', `${protocol}: stream from ${peer} ended before its header`, { peer, protocol })
      if (this.net.limiter.active) await this.net.limiter.download(peer, bytes.length)
      const env = decodeEnvelope(bytes)
      if (env.kind !== 'message') throw new WireError('invalid', `${protocol}: bulk header must be a message envelope, got ${env.kind}`, { peer, protocol })
      header = wire.codec.decode(env.payload)
    } catch (err) {
      reader.detach()
      if (err instanceof WireError) this.resetAndStrike(peer, stream, err)
      else stream.abort(err as Error)
      return
    } finally {
      deadline.cancel()
    }
    const source = new Libp2pBulkSource(this.net.bulkEnds(peer, protocol, stream, max, 'in'), reader, (err) => {
      this.net.log.warn('oversized bulk stream: reset', { peer, protocol, error: err.message })
      this.net.strike(peer, `${err.code}: ${err.message}`)
    })
    try {
      await this.enqueue(peer, { type: 'net:bulk', from: peer, header, source })
      if (this.closed) source.abort('peer stopping')
    } catch (err) {
      source.abort(`actor did not take the bulk stream: ${(err as Error).message}`)
    }
  }

  private async dispatch (from: PeerKey, env: Envelope, msg: W | undefined): Promise<void> {
    switch (env.kind) {
      case 'message':
        await this.enqueue(from, { type: 'net:message', from, msg: msg as W })
        return
      case 'request':
        await this.enqueue(from, { type: 'net:request', from, msg: msg as W, respond: this.responder(from, env.id) })
        return
      case 'response':
      case 'error': {
        if (env.kind === 'response') this.pending.resolve(from, env.id, msg as W)
        else this.pending.reject(from, env.id, new NetError('remote-error', `${from}: ${env.message}`, { peer: from, protocol: this.wire?.id }))
        return
      }
      case 'keepalive':
    }
  }

  private responder (to: PeerKey, id: number): Responder<W> {
    let answered = false
    const reply = (env: () => Envelope): void => {
      if (answered) return
      answered = true
      let e: Envelope
      try {
        e = env()
      } catch (err) {
        // Our own response does not encode: tell the requester rather than leave it hanging.
        this.net.log.error('response does not encode', { peer: to, protocol: this.wire?.id, error: err as Error })
        e = { kind: 'error', id, message: `responder failed: ${(err as Error).message}` }
      }
      this.frame(to, e).catch((err: Error) => { this.net.log.debug('response not delivered', { peer: to, protocol: this.wire?.id, error: err }) })
    }
    return {
      ok: (res: W) => { reply(() => ({ kind: 'response', id, payload: this.encode(res) })) },
      error: (message: string) => { reply(() => ({ kind: 'error', id, message })) }
    }
  }
}

/** The best open connection: direct before relayed, unlimited before limited. */
function openConnectionTo (conns: Connection[]): Connection | undefined {
  const open = conns.filter(c => c.status === 'open')
  return open.find(c => c.limits == null && c.direct) ?? open.find(c => c.limits == null) ?? open[0]
}

/** The peer a relayed address leads to (its last /p2p/ component), if it names one. */
function relayedPeer (addr: string): PeerId | undefined {
  const id = /\/p2p-circuit\/p2p\/([^/]+)$/.exec(addr)?.[1]
  try { return id !== undefined ? peerIdFromString(id) : undefined } catch { return undefined }
}
