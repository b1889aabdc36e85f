import type { Clock } from '../ports/clock.ts'
import type { Logger } from '../ports/logger.ts'
import type { NetPort } from '../ports/net.ts'
import type { Random } from '../ports/random.ts'
import type { Store } from '../ports/store.ts'

/** Address of an actor: the only way to reach it. */
export interface ActorRef<M> {
  readonly name: string
  /** Enqueue; false (and a counted drop) when the mailbox is full or the actor stopped. */
  tell(msg: M): boolean
  /** Enqueue, waiting for room: backpressure for producers such as inbound streams. */
  put(msg: M): Promise<void>
  /** Send a message carrying a reply handle and wait for the answer (ActorError 'timeout'). */
  ask<R>(make: (reply: Reply<R>) => M, timeoutMs?: number): Promise<R>
}

export interface Reply<R> {
  ok(value: R): void
  fail(err: Error): void
}

/**
 * The narrow set of ports an actor may use. Nothing else reaches the world: no libp2p,
 * no wall clock, no Math.random.
 */
export interface ActorComponents<M, W = never> {
  self: ActorRef<M>
  clock: Clock
  random: Random
  net: NetPort<W>
  store: Store
  logger: Logger
}

/** Private state plus a handler for one message at a time. */
export interface Actor<M> {
  /** Load state from the store (also after a crash restart). */
  start?(): Promise<void> | void
  receive(msg: M): Promise<void> | void
  stop?(): Promise<void> | void
  /** A JSON-able snapshot for `peerhive status`. */
  status?(): unknown
}

export type ActorFactory<M, W = never> = (components: ActorComponents<M, W>) => Actor<M>

export type ActorState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped'
