import { NetError, WireError } from '../errors.ts'
import type { Timer } from '../ports/clock.ts'
import type { NetEvent, NetPort, PeerKey, RequestOptions } from '../ports/net.ts'
import { asPeerKey } from '../ports/net.ts'
import type { NetProvider } from '../ports/net-provider.ts'
import type { VirtualClock } from '../ports/virtual-clock.ts'
import type { WireProtocol } from '../wire/codec.ts'
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../wire/envelope.ts'

export const SIM_DEFAULT_LATENCY_MS = 10
export const SIM_DEFAULT_REQUEST_TIMEOUT_MS = 10_000
export const SIM_STRIKE_LIMIT = 5

export interface SimNetworkOptions {
  clock: VirtualClock
  /** One-way latency between two hosts (default 10 ms). */
  latencyMs?: (from: PeerKey, to: PeerKey) => number
}

/**
 * A simulated network on virtual time. Frames are really encoded and decoded (so codecs,
 * limits and strikes behave as on libp2p) and delivered after the link latency, in order
 * per link. `transmit` is the one place where timing is decided.
 */
export class SimNetwork {
  readonly clock: VirtualClock
  private readonly latency: (from: PeerKey, to: PeerKey) => number
  private readonly hosts = new Map<PeerKey, SimHost>()
  private readonly links = new Set<string>()
  /** Frames and bytes carried, for metrics. */
  frames = 0
  bytes = 0

  constructor (opts: SimNetworkOptions) {
    this.clock = opts.clock
    this.latency = opts.latencyMs ?? (() => SIM_DEFAULT_LATENCY_MS)
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
    return this.links.has(linkId(a, b))
  }

  neighbours (a: PeerKey): PeerKey[] {
    const out: PeerKey[] = []
    for (const l of this.links) {
      const [x, y] = l.split('|') as [PeerKey, PeerKey]
      if (x === a) out.push(y)
      else if (y === a) out.push(x)
    }
    return out
  }

  /** Open a connection; false when the target is down, banned us, or refuses inbound. */
  connect (from: PeerKey, to: PeerKey): boolean {
    const a = this.hosts.get(from)
    const b = this.hosts.get(to)
    if (a === undefined || b === undefined || !a.alive || !b.alive || from === to) return false
    if (a.banned.has(to) || b.banned.has(from) || !b.acceptsInbound(from)) return false
    const id = linkId(from, to)
    if (this.links.has(id)) return true
    this.links.add(id)
    a.emitAll({ type: 'net:connect', peer: to })
    b.emitAll({ type: 'net:connect', peer: from })
    return true
  }

  disconnect (a: PeerKey, b: PeerKey): void {
    if (!this.links.delete(linkId(a, b))) return
    this.hosts.get(a)?.emitAll({ type: 'net:disconnect', peer: b })
    this.hosts.get(b)?.emitAll({ type: 'net:disconnect', peer: a })
  }

  /**
   * Carry one frame. Override point for the simulator's bandwidth and loss models: the
   * base network delivers after the link latency, FIFO per link.
   */
  transmit (from: PeerKey, to: PeerKey, protocol: string, frame: Uint8Array): void {
    this.frames++
    this.bytes += frame.length
    const at = this.latency(from, to)
    this.clock.setTimer(at, () => this.arrive(from, to, protocol, frame))
  }

  /** Hand a frame to its destination if the link still exists. */
  arrive (from: PeerKey, to: PeerKey, protocol: string, frame: Uint8Array): void {
    if (!this.isConnected(from, to)) return
    this.hosts.get(to)?.receive(from, protocol, frame)
  }
}

type ConnEvent = Extract<NetEvent<never>, { type: 'net:connect' | 'net:disconnect' }>

function linkId (a: PeerKey, b: PeerKey): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}

/** One simulated peer's transport: a NetProvider for its actor system. */
export class SimHost implements NetProvider {
  readonly self: PeerKey
  readonly net: SimNetwork
  alive = true
  /** A host behind NAT accepts no inbound connection (the simulator sets this). */
  behindNat = false
  readonly banned = new Set<PeerKey>()
  readonly strikes = new Map<PeerKey, number>()
  private readonly ports = new Map<string, SimPort<any>>()
  private readonly anonymous: Array<SimPort<any>> = []

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

  port<W> (wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>): NetPort<W> {
    const p = new SimPort<W>(this, wire, deliver)
    if (wire === undefined) this.anonymous.push(p)
    else this.ports.set(wire.id, p)
    return p
  }

  emitAll (ev: ConnEvent): void {
    for (const p of [...this.ports.values(), ...this.anonymous]) p.emit(ev)
  }

  receive (from: PeerKey, protocol: string, frame: Uint8Array): void {
    if (!this.alive || this.banned.has(from)) return
    this.ports.get(protocol)?.receive(from, frame)
  }

  strike (peer: PeerKey, _reason: string): void {
    const n = (this.strikes.get(peer) ?? 0) + 1
    this.strikes.set(peer, n)
    if (n >= SIM_STRIKE_LIMIT) {
      this.banned.add(peer)
      this.net.disconnect(this.self, peer)
    }
  }

  /** Crash: every connection drops at once, no goodbye. */
  crash (): void {
    for (const n of this.net.neighbours(this.self)) this.net.disconnect(this.self, n)
    this.alive = false
  }

  revive (): void {
    this.alive = true
  }
}

class SimPort<W> implements NetPort<W> {
  private readonly host: SimHost
  private readonly wire: WireProtocol<W> | undefined
  private readonly deliver: (ev: NetEvent<W>) => Promise<void>
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (w: W) => void, reject: (e: Error) => void, timer: Timer, to: PeerKey }>()
  /** Per-sender delivery chain: inbound order is preserved even when the mailbox pushes back. */
  private readonly chains = new Map<PeerKey, Promise<void>>()

  constructor (host: SimHost, wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>) {
    this.host = host
    this.wire = wire
    this.deliver = deliver
  }

  get self (): PeerKey {
    return this.host.self
  }

  emit (ev: ConnEvent): void {
    if (ev.type === 'net:disconnect') {
      for (const [id, p] of this.pending) {
        if (p.to === ev.peer) {
          this.pending.delete(id)
          p.timer.cancel()
          p.reject(new NetError('closed', `connection to ${ev.peer} closed`, { peer: ev.peer }))
        }
      }
    }
    this.enqueue(ev.peer, ev)
  }

  private enqueue (from: PeerKey, ev: NetEvent<W>): void {
    const prev = this.chains.get(from) ?? Promise.resolve()
    const next = prev.then(async () => { await this.deliver(ev) }).catch(() => {})
    this.chains.set(from, next)
  }

  private frame (to: PeerKey, env: Envelope): void {
    if (!this.host.alive) throw new NetError('closed', 'this host is down')
    const net = this.host.net
    if (!net.isConnected(this.self, to) && !net.connect(this.self, to)) {
      throw new NetError('unreachable', `cannot reach ${to}`, { peer: to })
    }
    net.transmit(this.self, to, this.protocolId(), encodeEnvelope(env))
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

  async send (to: PeerKey, msg: W): Promise<void> {
    this.frame(to, { kind: 'message', payload: this.encode(msg) })
  }

  async request (to: PeerKey, msg: W, opts: RequestOptions = {}): Promise<W> {
    const id = this.nextId++
    const payload = this.encode(msg)
    const timeoutMs = opts.timeoutMs ?? SIM_DEFAULT_REQUEST_TIMEOUT_MS
    return await new Promise<W>((resolve, reject) => {
      const timer = this.host.net.clock.setTimer(timeoutMs, () => {
        this.pending.delete(id)
        reject(new NetError('timeout', `request to ${to} timed out after ${timeoutMs} ms`, { peer: to, timeoutMs }))
      })
      this.pending.set(id, { resolve, reject, timer, to })
      try {
        this.frame(to, { kind: 'request', id, payload })
      } catch (err) {
        this.pending.delete(id)
        timer.cancel()
        reject(err as Error)
      }
    })
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
        this.enqueue(from, { type: 'net:message', from, msg: msg as W })
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
        this.enqueue(from, { type: 'net:request', from, msg: msg as W, respond })
        break
      }
      case 'response':
      case 'error': {
        const p = this.pending.get(env.id)
        if (p === undefined || p.to !== from) return
        this.pending.delete(env.id)
        p.timer.cancel()
        if (env.kind === 'response') p.resolve(msg as W)
        else p.reject(new NetError('remote-error', env.message, { peer: from }))
        break
      }
      case 'keepalive':
        break
    }
  }
}
