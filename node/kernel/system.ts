import { ActorError } from '../errors.ts'
import type { Clock } from '../ports/clock.ts'
import type { Logger } from '../ports/logger.ts'
import type { NetEvent, NetPort } from '../ports/net.ts'
import type { NetProvider } from '../ports/net-provider.ts'
import type { Random } from '../ports/random.ts'
import type { Store } from '../ports/store.ts'
import type { WireProtocol } from '../wire/codec.ts'
import type { Actor, ActorComponents, ActorFactory, ActorRef, ActorState, Reply } from './actor.ts'
import { DEFAULT_ASK_TIMEOUT_MS, DEFAULT_MAILBOX_CAPACITY, DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS } from './constants.ts'
import { Mailbox } from './mailbox.ts'
import { ScopedClock } from './scoped-clock.ts'

/** The ports a system hands out, one slice per actor. */
export interface Environment {
  clock: Clock
  random: Random
  store: Store
  logger: Logger
  net?: NetProvider
}

export interface SpawnOptions<M, W = never> {
  name: string
  factory: ActorFactory<M, W>
  /** The wire protocol this actor speaks; inbound frames arrive as NetEvents. */
  wire?: WireProtocol<W>
  mailboxCapacity?: number
  /** Supervisor: give up after more than `maxRestarts` crashes within `windowMs`. */
  maxRestarts?: number
  restartWindowMs?: number
}

export interface ActorStatus {
  name: string
  state: ActorState
  mailbox: { size: number, capacity: number, dropped: number }
  processed: number
  restarts: number
  lastError?: string
  detail?: unknown
}

/**
 * Runs actors: one message at a time each, bounded mailboxes, and a supervisor that
 * restarts a crashed actor from its stored state (its `start` reloads it) and gives up,
 * loudly, past a crash rate.
 */
export class ActorSystem {
  private readonly cells = new Map<string, Cell<any, any>>()

  readonly env: Environment

  constructor (env: Environment) {
    this.env = env
  }

  spawn<M, W = never> (opts: SpawnOptions<M, W>): ActorRef<M> {
    if (this.cells.has(opts.name)) throw new ActorError('failed', `actor ${opts.name} already exists`, { actor: opts.name })
    const cell = new Cell<M, W>(this.env, opts)
    this.cells.set(opts.name, cell)
    cell.boot()
    return cell.ref
  }

  ref<M> (name: string): ActorRef<M> {
    const c = this.cells.get(name)
    if (c === undefined) throw new ActorError('no-such-actor', `no actor named ${name}`, { actor: name })
    return c.ref
  }

  /** Resolves once every actor has finished `start` (or failed). */
  async ready (): Promise<void> {
    await Promise.all([...this.cells.values()].map(async c => { await c.started }))
  }

  status (): ActorStatus[] {
    return [...this.cells.values()].map(c => c.status())
  }

  /** Stop every actor (reverse spawn order), running their `stop`. */
  async stop (): Promise<void> {
    for (const c of [...this.cells.values()].reverse()) await c.stop()
  }
}

class Cell<M, W> {
  readonly ref: ActorRef<M>
  private readonly mailbox: Mailbox<M>
  private readonly log: Logger
  private readonly net: NetPort<W>
  private readonly random: Random
  private readonly store: Store
  private instance?: Actor<M>
  private clock!: ScopedClock
  private state: ActorState = 'starting'
  private running = false
  private processed = 0
  private restarts = 0
  private crashTimes: number[] = []
  private lastError?: string
  started: Promise<void> = Promise.resolve()

  private readonly env: Environment
  private readonly opts: SpawnOptions<M, W>

  constructor (env: Environment, opts: SpawnOptions<M, W>) {
    this.env = env
    this.opts = opts
    this.mailbox = new Mailbox<M>(opts.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY)
    this.log = env.logger.child(opts.name)
    this.random = env.random.fork(opts.name)
    this.store = env.store.sublevel(opts.name)
    this.ref = {
      name: opts.name,
      tell: (msg) => this.tell(msg),
      put: async (msg) => { await this.put(msg) },
      ask: async <R>(make: (reply: Reply<R>) => M, timeoutMs?: number) => await this.ask(make, timeoutMs)
    }
    const deliver = async (ev: NetEvent<W>): Promise<void> => { await this.put(ev as unknown as M) }
    this.net = env.net !== undefined ? env.net.port(opts.wire, deliver) : offlineNet<W>()
  }

  boot (): void {
    this.started = this.startInstance()
  }

  private components (): ActorComponents<M, W> {
    this.clock = new ScopedClock(this.env.clock)
    return { self: this.ref, clock: this.clock, random: this.random, net: this.net, store: this.store, logger: this.log }
  }

  private async startInstance (): Promise<void> {
    try {
      this.instance = this.opts.factory(this.components())
      await this.instance.start?.()
      if (this.state === 'stopped') return
      this.state = 'running'
      this.pump()
    } catch (err) {
      await this.crashed(err, undefined)
    }
  }

  private tell (msg: M): boolean {
    if (this.state === 'stopped' || this.state === 'failed') {
      this.mailbox.dropped++
      return false
    }
    const ok = this.mailbox.offer(msg)
    if (!ok) this.log.warn('mailbox full: message dropped', { capacity: this.mailbox.capacity, dropped: this.mailbox.dropped })
    this.pump()
    return ok
  }

  private async put (msg: M): Promise<void> {
    while (this.state !== 'stopped' && this.state !== 'failed') {
      if (this.mailbox.offer(msg)) { this.pump(); return }
      this.mailbox.dropped-- // offer counted a drop; we wait instead
      this.pump()
      await this.mailbox.waitForRoom()
    }
    throw new ActorError('stopped', `actor ${this.opts.name} is ${this.state}`, { actor: this.opts.name })
  }

  private async ask<R> (make: (reply: Reply<R>) => M, timeoutMs = DEFAULT_ASK_TIMEOUT_MS): Promise<R> {
    const { promise, resolve, reject } = Promise.withResolvers<R>()
    const timer = this.env.clock.setTimer(timeoutMs, () => {
      reject(new ActorError('timeout', `ask to ${this.opts.name} timed out after ${timeoutMs} ms`, { actor: this.opts.name, timeoutMs }))
    })
    const reply: Reply<R> = {
      ok: (v) => { timer.cancel(); resolve(v) },
      fail: (e) => { timer.cancel(); reject(e) }
    }
    if (!this.tell(make(reply))) {
      timer.cancel()
      const code = this.state === 'stopped' || this.state === 'failed' ? 'stopped' : 'mailbox-full'
      throw new ActorError(code, `actor ${this.opts.name} did not accept the message (${code})`, { actor: this.opts.name })
    }
    return await promise
  }

  /** Process messages one at a time until the box is empty. */
  private pump (): void {
    if (this.running || this.state !== 'running') return
    this.running = true
    void this.loop()
  }

  private async loop (): Promise<void> {
    try {
      while (this.state === 'running') {
        const msg = this.mailbox.take()
        if (msg === undefined) break
        try {
          await this.instance?.receive(msg)
          this.processed++
        } catch (err) {
          await this.crashed(err, msg)
        }
      }
    } finally {
      this.running = false
    }
    if (this.state === 'running' && this.mailbox.size > 0) this.pump()
  }

  private async crashed (err: unknown, msg: M | undefined): Promise<void> {
    const e = err instanceof Error ? err : new Error(String(err))
    this.lastError = e.message
    failReply(msg, e)
    this.clock?.cancelAll()
    const now = this.env.clock.now()
    const window = this.opts.restartWindowMs ?? DEFAULT_RESTART_WINDOW_MS
    const max = this.opts.maxRestarts ?? DEFAULT_MAX_RESTARTS
    this.crashTimes = this.crashTimes.filter(t => now - t < window)
    this.crashTimes.push(now)
    if (this.crashTimes.length > max) {
      this.state = 'failed'
      this.log.error('actor crashed too often: giving up', { crashes: this.crashTimes.length, windowMs: window, error: e.message })
      for (const m of this.mailbox.drain()) failReply(m, new ActorError('failed', `actor ${this.opts.name} failed`, { actor: this.opts.name }))
      return
    }
    this.state = 'restarting'
    this.restarts++
    this.log.warn('actor crashed: restarting from stored state', { error: e.message, restarts: this.restarts, stack: e.stack?.split('\n')[1]?.trim() })
    try { await this.instance?.stop?.() } catch { /* the crashed instance's cleanup may fail too */ }
    await this.startInstance()
  }

  async stop (): Promise<void> {
    if (this.state === 'stopped') return
    const prev = this.state
    this.state = 'stopped'
    this.clock?.cancelAll()
    for (const m of this.mailbox.drain()) failReply(m, new ActorError('stopped', `actor ${this.opts.name} stopped`, { actor: this.opts.name }))
    if (prev !== 'failed') {
      try { await this.instance?.stop?.() } catch (err) { this.log.warn('stop failed', { error: (err as Error).message }) }
    }
  }

  status (): ActorStatus {
    let detail: unknown
    try { detail = this.instance?.status?.() } catch (err) { detail = { error: (err as Error).message } }
    return {
      name: this.opts.name,
      state: this.state,
      mailbox: { size: this.mailbox.size, capacity: this.mailbox.capacity, dropped: this.mailbox.dropped },
      processed: this.processed,
      restarts: this.restarts,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(detail !== undefined ? { detail } : {})
    }
  }
}

/** Messages that carry a `reply` get an error instead of hanging their asker. */
function failReply (msg: unknown, err: Error): void {
  const r = (msg as { reply?: Reply<unknown> } | undefined)?.reply
  if (r !== undefined && typeof r.fail === 'function') r.fail(err)
}

function offlineNet<W> (): NetPort<W> {
  const fail = async (): Promise<never> => { throw new ActorError('failed', 'this actor has no network') }
  return {
    self: '' as NetPort<W>['self'],
    send: fail,
    request: fail,
    connect: fail,
    disconnect: async () => {},
    connected: () => [],
    addresses: () => [],
    strike: () => {},
    openBulk: fail
  }
}
