import { NetError, WireError } from '../errors.ts'
import type { BulkWriter, NetEvent, NetPort, PeerKey, RequestOptions } from '../ports/net.ts'
import { asPeerKey } from '../ports/net.ts'
import type { NetProvider } from '../ports/net-provider.ts'
import type { VirtualClock } from '../ports/virtual-clock.ts'
import { SeededRandom, type Random } from '../ports/random.ts'
import { FairLink, type LinkDiscipline, type QueuedFrame } from './fair-link.ts'
import { SimBulk } from './sim-bulk.ts'
import { BULK_PROTOCOL_SUFFIX, RATE_BURST_MS } from '../host/constants.ts'
import type { WireProtocol } from '../wire/codec.ts'
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeJoined, type Envelope } from '../wire/envelope.ts'
import { PendingRequests } from '../wire/pending-requests.ts'
import { encodeChecked } from '../wire/codec.ts'

export const SIM_DEFAULT_LATENCY_MS = 10
export const SIM_DEFAULT_REQUEST_TIMEOUT_MS = 10_000
export const SIM_STRIKE_LIMIT = 5
/**
 * A capped host's send buffer, in milliseconds of its upload rate (FairLink.sendBufferBytes):
 * a send resolves once its frame fits in that many bytes beside the frames already taken and
 * not yet served, or else once served. It is what the libp2p path lets ahead of the wire: the
 * host's rate limiter is a token bucket RATE_BURST_MS deep (node/host/rate-limiter.ts) whose
 * debt makes each frame's write wait until the bytes before it, to any peer, and its own have
 * been paid for at the cap; past the bucket the write resolves once the stream's buffer drained
 * into the yamux window, which the paced bytes never fill. So a send there resolves when its
 * bytes are all but on the wire. Resolving a send as soon as its frame started (a buffer of one
 * frame per remote) let a 10 KiB/s seed with hundreds of remotes hand its transport 16 MB of
 * pieces in a 1,000-leecher textbook run: its upload budget never pushed back.
 */
export const SIM_SEND_BUFFER_MS = RATE_BURST_MS

export interface SimNetworkOptions {
  clock: VirtualClock
  /** One-way latency between two hosts (default 10 ms). Must be fixed per pair: frames keep their order. */
  latencyMs?: (from: PeerKey, to: PeerKey) => number
  /** Probability that a frame is lost (default 0). Draws come from `random`. */
  lossRate?: number
  /** The network's own random stream (loss draws); fork it from the run's seed. */
  random?: Random
  /** Strikes before a host bans a peer (default 5, as `net.strikeLimit`). */
  strikeLimit?: number
  /** Called once per frame handed to its destination (traces, metrics). */
  onDeliver?: (from: PeerKey, to: PeerKey, protocol: string, bytes: number) => void
  /** How capped links order frames (default `fair`; see LinkDiscipline). */
  discipline?: LinkDiscipline
}

/**
 * A simulated network on virtual time. Frames are really encoded and decoded (so codecs,
 * limits and strikes behave as on libp2p) and delivered in order per link. Timing:
 * a frame waits for the sender's uplink (FairLink at the host's upload capacity, fair
 * among its concurrent transfers), travels the link latency, then waits for the
 * receiver's downlink (download capacity). Unlimited capacities (0) skip their queue.
 * Failures: hosts crash, stop, revive, are cut off, or sit behind NAT (no inbound dials);
 * a partition function splits the swarm into groups that cannot reach each other.
 */
export class SimNetwork {
  readonly clock: VirtualClock
  private readonly latency: (from: PeerKey, to: PeerKey) => number
  private readonly hosts = new Map<PeerKey, SimHost>()
  /**
   * Live connections, both ways: peer -> neighbour -> epoch (bumped on every new
   * connection). Nested maps, not a map keyed by a pair string: every frame looks its link
   * up two or three times, and building the key string was a visible share of a large run.
   */
  private readonly links = new Map<PeerKey, Map<PeerKey, number>>()
  private epochs = 0
  private readonly random: Random
  private partition: ((k: PeerKey) => string | number) | undefined
  lossRate: number
  readonly discipline: LinkDiscipline
  readonly strikeLimit: number
  onDeliver: SimNetworkOptions['onDeliver']
  /** Frames and bytes carried, for metrics. */
  frames = 0
  bytes = 0
  /** Frames dropped by the loss model, or in flight when their connection closed. */
  lost = 0
  dropped = 0

  constructor (opts: SimNetworkOptions) {
    this.clock = opts.clock
    this.latency = opts.latencyMs ?? (() => SIM_DEFAULT_LATENCY_MS)
    this.random = opts.random ?? new SeededRandom('sim-network')
    this.lossRate = opts.lossRate ?? 0
    this.discipline = opts.discipline ?? 'fair'
    this.strikeLimit = opts.strikeLimit ?? SIM_STRIKE_LIMIT
    this.onDeliver = opts.onDeliver
  }

  addHost (key: string): SimHost {
    const k = asPeerKey(key)
    if (this.hosts.has(k)) throw new Error(`sim host ${key} exists`)
    const h = new SimHost(this, k)
    this.hosts.set(k, h)
    return h
  }

  host (key: PeerKey): SimHost | undefined {
    return this.hosts.get(key)
  }

  allHosts (): SimHost[] {
    return [...this.hosts.values()]
  }

  isConnected (a: PeerKey, b: PeerKey): boolean {
    return this.links.get(a)?.has(b) === true
  }

  /** The epoch of the live connection between `a` and `b`, or undefined. */
  private epochOf (a: PeerKey, b: PeerKey): number | undefined {
    return this.links.get(a)?.get(b)
  }

  neighbours (a: PeerKey): PeerKey[] {
    const s = this.links.get(a)
    return s === undefined ? [] : [...s.keys()]
  }

  /** Whether `from` may open a connection to `to` now (no side effects). */
  canConnect (from: PeerKey, to: PeerKey): boolean {
    const a = this.hosts.get(from)
    const b = this.hosts.get(to)
    if (a === undefined || b === undefined || !a.alive || !b.alive || from === to) return false
    if (a.isolated || b.isolated) return false
    if (this.partition !== undefined && this.partition(from) !== this.partition(to)) return false
    return !a.banned.has(to) && !b.banned.has(from)
  }

  /** Open a connection; false when the target is down, banned us, is cut off, or refuses inbound. */
  connect (from: PeerKey, to: PeerKey): boolean {
    if (this.isConnected(from, to)) return true
    if (!this.canConnect(from, to)) return false
    const a = this.hosts.get(from) as SimHost
    const b = this.hosts.get(to) as SimHost
    if (!b.acceptsInbound(from)) return false
    const epoch = ++this.epochs
    this.adj(from).set(to, epoch)
    this.adj(to).set(from, epoch)
    a.emitAll({ type: 'net:connect', peer: to })
    b.emitAll({ type: 'net:connect', peer: from })
    return true
  }

  disconnect (a: PeerKey, b: PeerKey): void {
    if (this.links.get(a)?.delete(b) !== true) return
    this.links.get(b)?.delete(a)
    const ha = this.hosts.get(a)
    const hb = this.hosts.get(b)
    ha?.forget(b)
    hb?.forget(a)
    ha?.emitAll({ type: 'net:disconnect', peer: b })
    hb?.emitAll({ type: 'net:disconnect', peer: a })
  }

  /**
   * The run is over: every connection is forgotten and every host marked down, without a
   * disconnect event to anyone (at 10,000 peers, closing connections one by one with their
   * events cost more than a minute of actors handling news nobody reads).
   */
  halt (): void {
    this.links.clear()
    for (const h of this.hosts.values()) h.alive = false
  }

  /**
   * Split the swarm: hosts whose `group` differs cannot connect, and connections across
   * groups drop now. `undefined` heals the partition.
   */
  setPartition (group: ((k: PeerKey) => string | number) | undefined): void {
    this.partition = group
    if (group === undefined) return
    const cut: Array<[PeerKey, PeerKey]> = []
    for (const [x, ns] of this.links) for (const y of ns.keys()) if (x < y && group(x) !== group(y)) cut.push([x, y])
    for (const [x, y] of cut) this.disconnect(x, y)
  }

  /**
   * Carry one frame: the sender's uplink, the link latency, the receiver's downlink.
   * Frames sent on one connection arrive in order; a frame whose connection closed (or
   * was replaced by a new one) on the way is dropped. `reliable` frames (bulk streams)
   * skip the loss model: a stream retransmits, so loss costs time there, not data.
   */
  transmit (from: PeerKey, to: PeerKey, protocol: string, frame: Uint8Array, reliable = false, sent?: (err?: Error) => void): void {
    this.frames++
    this.bytes += frame.length
    const epoch = this.epochOf(from, to) ?? 0
    const src = this.hosts.get(from)
    src?.countUp(protocol, frame.length)
    if (!reliable && this.lossRate > 0 && this.random.next() < this.lossRate) {
      this.lost++
      sent?.()
      return
    }
    if (src !== undefined && src.uploadBps > 0) {
      src.uplink().enqueue(to, { from, to, protocol, bytes: frame, epoch, ...(sent !== undefined ? { sent } : {}) })
      return
    }
    sent?.()
    this.propagate({ from, to, protocol, bytes: frame, epoch })
  }

  /** After the uplink: the link latency, then the receiver's downlink. */
  private propagate (f: QueuedFrame): void {
    this.clock.setTimer(this.latency(f.from as PeerKey, f.to as PeerKey), () => {
      const dst = this.hosts.get(f.to as PeerKey)
      if (dst !== undefined && dst.downloadBps > 0 && dst.alive) dst.downlink().enqueue(f.from, f)
      else this.land(f)
    })
  }

  /** Bound as a method so FairLinks can hand frames on. */
  readonly onUplinkDone = (f: QueuedFrame): void => { this.propagate(f) }
  readonly onDownlinkDone = (f: QueuedFrame): void => { this.land(f) }

  private land (f: QueuedFrame): void {
    const current = this.epochOf(f.from as PeerKey, f.to as PeerKey)
    if (f.epoch !== 0 && current !== f.epoch) { this.dropped++; return }
    this.arrive(f.from as PeerKey, f.to as PeerKey, f.protocol, f.bytes)
  }

  /** Hand a frame to its destination if the link still exists. */
  arrive (from: PeerKey, to: PeerKey, protocol: string, frame: Uint8Array): void {
    if (!this.isConnected(from, to)) { this.dropped++; return }
    const h = this.hosts.get(to)
    if (h === undefined) return
    h.bytesDown += frame.length
    this.onDeliver?.(from, to, protocol, frame.length)
    h.receive(from, protocol, frame)
  }

  private adj (k: PeerKey): Map<PeerKey, number> {
    let s = this.links.get(k)
    if (s === undefined) { s = new Map(); this.links.set(k, s) }
    return s
  }
}

/** The send buffer of an uplink of `bps` bytes/s (SIM_SEND_BUFFER_MS). */
function sendBufferBytes (bps: number): number {
  return (bps * SIM_SEND_BUFFER_MS) / 1000
}

type ConnEvent = Extract<NetEvent<never>, { type: 'net:connect' | 'net:disconnect' }>


/** One simulated peer's transport: a NetProvider for its actor system. */
export class SimHost implements NetProvider {
  readonly self: PeerKey
  readonly net: SimNetwork
  alive = true
  /** A host behind NAT accepts no inbound connection (the simulator sets this). */
  behindNat = false
  /** Cut off from everyone (a partition of one): alive, but no connection in or out. */
  isolated = false
  /** Access link capacities in bytes/s; 0 means unlimited. */
  uploadBps = 0
  downloadBps = 0
  /** Bytes this host handed to its uplink (all protocols) and received. */
  bytesUp = 0
  bytesDown = 0
  readonly bytesUpByProtocol = new Map<string, number>()
  readonly banned = new Set<PeerKey>()
  readonly strikes = new Map<PeerKey, number>()
  private ports = new Map<string, SimPort<any>>()
  /** Ports by their bulk sub-protocol id (`<wire id>/bulk`), for protocols with a bulk path. */
  private bulkPorts = new Map<string, SimPort<any>>()
  private anonymous: Array<SimPort<any>> = []
  private up: FairLink | undefined
  private down: FairLink | undefined

  constructor (net: SimNetwork, self: PeerKey) {
    this.net = net
    this.self = self
  }

  get address (): string {
    return `/sim/${this.self}`
  }

  acceptsInbound (_from: PeerKey): boolean {
    return !this.behindNat
  }

  /** Set the access link capacities (bytes/s, 0 = unlimited). */
  setCapacity (uploadBps: number, downloadBps: number): void {
    this.uploadBps = uploadBps
    this.downloadBps = downloadBps
    if (this.up !== undefined) {
      this.up.bytesPerSecond = uploadBps
      this.up.sendBufferBytes = sendBufferBytes(uploadBps)
    }
    if (this.down !== undefined) this.down.bytesPerSecond = downloadBps
  }

  uplink (): FairLink {
    if (this.up === undefined) {
      this.up = new FairLink(this.net.clock, this.uploadBps, this.net.onUplinkDone, this.net.discipline)
      this.up.sendBufferBytes = sendBufferBytes(this.uploadBps)
    }
    return this.up
  }

  downlink (): FairLink {
    this.down ??= new FairLink(this.net.clock, this.downloadBps, this.net.onDownlinkDone, this.net.discipline)
    return this.down
  }

  countUp (protocol: string, n: number): void {
    this.bytesUp += n
    this.bytesUpByProtocol.set(protocol, (this.bytesUpByProtocol.get(protocol) ?? 0) + n)
  }

  /** A connection to `peer` closed: frames still queued for it go nowhere. */
  forget (peer: PeerKey): void {
    this.up?.drop(peer, () => new NetError('closed', `connection to ${peer} closed`, { peer }))
    this.down?.drop(peer)
  }

  port<W> (wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>): NetPort<W> {
    const p = new SimPort<W>(this, wire, deliver)
    if (wire === undefined) this.anonymous.push(p)
    else this.ports.set(wire.id, p)
    if (wire?.maxBulkBytes !== undefined) this.bulkPorts.set(wire.id + BULK_PROTOCOL_SUFFIX, p)
    return p
  }

  /** Forget every port (a restarted peer's actors open fresh ones). */
  resetPorts (): void {
    for (const p of this.bulkPorts.values()) p.shutdownBulk()
    this.ports = new Map()
    this.bulkPorts = new Map()
    this.anonymous = []
  }

  emitAll (ev: ConnEvent): void {
    for (const p of this.ports.values()) p.emit(ev)
    for (const p of this.anonymous) p.emit(ev)
  }

  receive (from: PeerKey, protocol: string, frame: Uint8Array): void {
    if (!this.alive || this.banned.has(from)) return
    const p = this.ports.get(protocol)
    if (p !== undefined) p.receive(from, frame)
    else this.bulkPorts.get(protocol)?.receiveBulk(from, frame)
  }

  strike (peer: PeerKey, _reason: string): void {
    const n = (this.strikes.get(peer) ?? 0) + 1
    this.strikes.set(peer, n)
    if (n >= this.net.strikeLimit) {
      this.banned.add(peer)
      this.net.disconnect(this.self, peer)
    }
  }

  private dropAll (): void {
    for (const n of this.net.neighbours(this.self)) this.net.disconnect(this.self, n)
    this.up?.clear(new NetError('closed', 'this host is down'))
    this.down?.clear()
  }

  /** Crash: every connection drops at once, no goodbye; queued frames are lost. */
  crash (): void {
    this.dropAll()
    this.alive = false
  }

  /** Cut off: alive, but every connection drops and none can be made until `reconnect`. */
  cutOff (): void {
    this.isolated = true
    this.dropAll()
  }

  reconnect (): void {
    this.isolated = false
  }

  revive (): void {
    this.alive = true
    // A session ban does not survive a process restart.
    this.banned.clear()
    this.strikes.clear()
  }
}

class SimPort<W> implements NetPort<W> {
  private readonly host: SimHost
  private readonly wire: WireProtocol<W> | undefined
  private readonly deliver: (ev: NetEvent<W>) => Promise<void>
  private readonly pending: PendingRequests<W>
  /** Per-sender delivery chain: inbound order is preserved even when the mailbox pushes back. */
  private readonly chains = new Map<PeerKey, Promise<void>>()
  /** Bulk streams of this protocol, when it has a bulk path. */
  private readonly bulk: SimBulk<W> | undefined

  constructor (host: SimHost, wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>) {
    this.host = host
    this.wire = wire
    this.deliver = deliver
    this.pending = new PendingRequests<W>(host.net.clock)
    const maxBytes = wire?.maxBulkBytes
    if (wire !== undefined && maxBytes !== undefined) {
      const protocol = wire.id + BULK_PROTOCOL_SUFFIX
      this.bulk = new SimBulk<W>({
        self: host.self,
        wire,
        protocol,
        maxBytes,
        transmit: (to, f) => { this.link(to); host.net.transmit(host.self, to, protocol, f, true) },
        strike: (peer, reason) => { host.strike(peer, reason) },
        deliver: async (from, ev) => { await this.enqueue(from, ev) }
      })
    }
  }

  async openBulk (to: PeerKey, header: W): Promise<BulkWriter> {
    if (this.bulk === undefined) throw new NetError('closed', `${this.wire?.id ?? 'this actor'} has no bulk path (no maxBulkBytes)`, { protocol: this.wire?.id })
    return await this.bulk.open(to, header)
  }

  receiveBulk (from: PeerKey, frame: Uint8Array): void {
    this.bulk?.receive(from, frame)
  }

  shutdownBulk (): void {
    this.bulk?.shutdown()
  }

  /** Make sure a connection to `to` exists (auto-dial, as send does). */
  private link (to: PeerKey): void {
    if (!this.host.alive) throw new NetError('closed', 'this host is down')
    const net = this.host.net
    if (!net.isConnected(this.self, to) && !net.connect(this.self, to)) {
      throw new NetError('unreachable', `cannot reach ${to}`, { peer: to })
    }
  }

  get self (): PeerKey {
    return this.host.self
  }

  emit (ev: ConnEvent): void {
    if (ev.type === 'net:disconnect') {
      this.pending.failPeer(ev.peer, new NetError('closed', `connection to ${ev.peer} closed`, { peer: ev.peer }))
      this.bulk?.peerGone(ev.peer)
    }
    void this.enqueue(ev.peer, ev).catch(() => {})
  }

  /** Resolves when the actor took `ev` (rejects if it could not). */
  private async enqueue (from: PeerKey, ev: NetEvent<W>): Promise<void> {
    const prev = this.chains.get(from) ?? Promise.resolve()
    const next = prev.then(async () => { await this.deliver(ev) })
    const tail = next.catch(() => {})
    this.chains.set(from, tail)
    // A sender with nothing in flight needs no entry: kept, every peer that ever sent this
    // port anything held a settled promise here for the whole run (millions in a 10,000-peer DHT).
    void tail.then(() => { if (this.chains.get(from) === tail) this.chains.delete(from) })
    await next
  }

  private frame (to: PeerKey, env: Envelope, sent?: (err?: Error) => void): void {
    this.link(to)
    this.host.net.transmit(this.self, to, this.protocolId(), encodeEnvelope(env), false, sent)
  }

  /** A one-way message, framed from the codec's parts (see encodeEnvelopeJoined). */
  private frameMessage (to: PeerKey, msg: W, sent: (err?: Error) => void): void {
    const wire = this.wire
    if (wire === undefined) throw new NetError('closed', 'this actor has no wire protocol')
    const parts = encodeChecked(wire, msg)
    this.link(to)
    this.host.net.transmit(this.self, to, wire.id, encodeEnvelopeJoined('message', 0, parts), false, sent)
  }

  private protocolId (): string {
    if (this.wire === undefined) throw new NetError('closed', 'this actor has no wire protocol')
    return this.wire.id
  }

  private encode (msg: W): Uint8Array {
    const wire = this.wire
    if (wire === undefined) throw new NetError('closed', 'this actor has no wire protocol')
    const bytes = wire.codec.encode(msg)
    if (bytes.length > wire.maxMessageBytes) {
      throw new WireError('oversized', `${wire.id}: outgoing message of ${bytes.length} bytes exceeds ${wire.maxMessageBytes}`)
    }
    return bytes
  }

  /**
   * Resolves once this peer's uplink took the frame into its bounded send buffer
   * (SIM_SEND_BUFFER_MS; at once without an upload cap), as a libp2p send resolves once the
   * rate-capped transport took the bytes: a protocol pacing its uploads by its sends sees the
   * same backpressure here as on TCP.
   */
  async send (to: PeerKey, msg: W): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    this.frameMessage(to, msg, err => { if (err === undefined) resolve(); else reject(err) })
    await promise
  }

  async request (to: PeerKey, msg: W, opts: RequestOptions = {}): Promise<W> {
    const payload = this.encode(msg)
    const timeoutMs = opts.timeoutMs ?? SIM_DEFAULT_REQUEST_TIMEOUT_MS
    const { id, promise } = this.pending.open(to, timeoutMs, () =>
      new NetError('timeout', `request to ${to} timed out after ${timeoutMs} ms`, { peer: to, timeoutMs }))
    try {
      this.frame(to, { kind: 'request', id, payload })
    } catch (err) {
      this.pending.fail(id, err as Error)
    }
    return await promise
  }

  async connect (target: PeerKey | string | string[]): Promise<PeerKey> {
    const first = Array.isArray(target) ? target[0] : target
    const key = asPeerKey(String(first).replace(/^\/sim\//, ''))
    if (!this.host.net.connect(this.self, key)) throw new NetError('dial-failed', `cannot connect to ${key}`, { peer: key })
    return key
  }

  async disconnect (peer: PeerKey): Promise<void> {
    this.host.net.disconnect(this.self, peer)
  }

  connected (): PeerKey[] {
    return this.host.net.neighbours(this.self)
  }

  addresses (peer?: PeerKey): string[] {
    if (peer === undefined) return [this.host.address]
    const h = this.host.net.host(peer)
    return h === undefined ? [] : [h.address]
  }

  strike (peer: PeerKey, reason: string): void {
    this.host.strike(peer, reason)
  }

  receive (from: PeerKey, frame: Uint8Array): void {
    const wire = this.wire
    if (wire === undefined) return
    let env: Envelope
    let msg: W | undefined
    try {
      if (frame.length > wire.maxMessageBytes + 16) throw new WireError('oversized', `frame of ${frame.length} bytes`)
      env = decodeEnvelope(frame)
      if (env.kind === 'message' || env.kind === 'request' || env.kind === 'response') msg = wire.codec.decode(env.payload)
    } catch {
      // As on libp2p: the stream is reset and the sender earns a strike.
      this.host.strike(from, 'malformed frame')
      return
    }
    switch (env.kind) {
      case 'message':
        void this.enqueue(from, { type: 'net:message', from, msg: msg as W }).catch(() => {})
        break
      case 'request': {
        const id = env.id
        let answered = false
        const respond = {
          ok: (res: W) => {
            if (answered) return
            answered = true
            try { this.frame(from, { kind: 'response', id, payload: this.encode(res) }) } catch { /* requester gone */ }
          },
          error: (message: string) => {
            if (answered) return
            answered = true
            try { this.frame(from, { kind: 'error', id, message }) } catch { /* requester gone */ }
          }
        }
        void this.enqueue(from, { type: 'net:request', from, msg: msg as W, respond }).catch(() => {})
        break
      }
      case 'response':
      case 'error': {
        if (env.kind === 'response') this.pending.resolve(from, env.id, msg as W)
        else this.pending.reject(from, env.id, new NetError('remote-error', env.message, { peer: from }))
        break
      }
      case 'keepalive':
        break
    }
  }
}
