import type { ProtocolModule } from '../plugin.ts'
import type { Random } from '../ports/random.ts'
import type { VirtualClock } from '../ports/virtual-clock.ts'
import type { PeerGroup, PeerRole, Scenario } from './scenario.ts'
import type { SimNetwork } from './sim-network.ts'
import type { SimPeer } from './sim-peer.ts'
import type { Trace } from './trace.ts'

/** What the run knows about one peer. */
export interface PeerRecord {
  id: string
  role: PeerRole
  group: PeerGroup
  joinAt: number
  peer?: SimPeer
  /** Virtual time its workload goal was reached (e.g. file complete). */
  completedAt?: number
  /** Per-workload figures (hops, recall...). */
  figures: Record<string, number>
}

/** What a workload sees of the run. */
export interface RunContext {
  readonly scenario: Scenario
  readonly clock: VirtualClock
  readonly net: SimNetwork
  readonly trace: Trace
  /** The workload's own random stream. */
  readonly random: Random
  readonly peers: Map<string, PeerRecord>
  /** Peers running now, in join order. */
  running(): PeerRecord[]
  /** Mark a peer's goal reached (once); traced. */
  complete(id: string, detail?: Record<string, number | string | boolean>): void
  /** Record something the report should show (traced). */
  note(kind: string, peer: string | undefined, detail?: Record<string, number | string | boolean>): void
}

/** A time-series sample: virtual time and named values. */
export type Sample = { t: number } & Record<string, number>

/**
 * What the peers do in a run. The workload installs real protocol modules and drives them
 * through their public APIs only (the same ones users and the CLI call).
 */
export interface Workload {
  readonly name: string
  modules(): ReadonlyArray<ProtocolModule<any, any>>
  /** Config overrides for one peer (merged over the scenario's and the group's). */
  config?(rec: PeerRecord, run: RunContext): Record<string, unknown> | undefined
  /** Before any peer starts. */
  setup?(run: RunContext): void | Promise<void>
  /** A peer started (or restarted): give it work. Must not block: start work and return. */
  onStart(rec: PeerRecord, run: RunContext): void | Promise<void>
  /** Nothing left to wait for. */
  done(run: RunContext): boolean
  sample?(run: RunContext): Record<string, number>
  /** Workload-level figures for the result (hops histogram, recall by TTL...). */
  summary?(run: RunContext): Record<string, unknown>
}
