import { NetError } from '../errors.ts'
import type { NetEvent, NetPort, PeerKey } from '../ports/net.ts'
import type { NetProvider } from '../ports/net-provider.ts'
import type { RangeOptions, Store, StoreOp } from '../ports/store.ts'
import type { WireProtocol } from '../wire/codec.ts'

/**
 * Store and net as one incarnation of a simulated peer sees them. After a crash the dead
 * incarnation's actors may still hold queued messages; these wrappers make sure such a
 * zombie can neither write to the store the restarted peer reloads from nor send through
 * the revived host. A real dead process cannot do either.
 */
export class Liveness {
  dead = false
  readonly peer: string
  constructor (peer: string) { this.peer = peer }
  check (): void {
    if (this.dead) throw new NetError('closed', `peer ${this.peer} is down (crashed incarnation)`, { peer: this.peer })
  }
}

export class IncarnationStore implements Store {
  private readonly inner: Store
  private readonly live: Liveness
  constructor (inner: Store, live: Liveness) { this.inner = inner; this.live = live }
  async get (key: string): Promise<Uint8Array | undefined> { this.live.check(); return await this.inner.get(key) }
  async put (key: string, value: Uint8Array): Promise<void> { this.live.check(); await this.inner.put(key, value) }
  async del (key: string): Promise<void> { this.live.check(); await this.inner.del(key) }
  async batch (ops: StoreOp[]): Promise<void> { this.live.check(); await this.inner.batch(ops) }
  entries (opts?: RangeOptions): AsyncIterable<[string, Uint8Array]> { this.live.check(); return this.inner.entries(opts) }
  sublevel (name: string): Store { return new IncarnationStore(this.inner.sublevel(name), this.live) }
}

export class IncarnationNet implements NetProvider {
  private readonly inner: NetProvider
  private readonly live: Liveness
  constructor (inner: NetProvider, live: Liveness) { this.inner = inner; this.live = live }
  get self (): PeerKey { return this.inner.self }
  port<W> (wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>): NetPort<W> {
    const p = this.inner.port(wire, deliver)
    const live = this.live
    return {
      self: p.self,
      send: async (to, msg) => { live.check(); await p.send(to, msg) },
      request: async (to, msg, opts) => { live.check(); return await p.request(to, msg, opts) },
      connect: async (target) => { live.check(); return await p.connect(target) },
      disconnect: async (peer) => { if (!live.dead) await p.disconnect(peer) },
      connected: () => live.dead ? [] : p.connected(),
      addresses: (peer) => p.addresses(peer),
      strike: (peer, reason) => { if (!live.dead) p.strike(peer, reason) },
      openBulk: async (to, header) => { live.check(); return await p.openBulk(to, header) }
    }
  }
}
