import type { PeerKey } from '../../node/ports/net.ts'
import type { RingId, RingSpace } from './ids.ts'
import type { LookupResult } from './lookup.ts'
import type { WireNode } from './messages.ts'
import type { NodeRef } from './node-ref.ts'
import type { RingState } from './ring.ts'
import type { DhtRpc } from './rpc.ts'

/**
 * What the work a Chord member hands out (key-values.ts, providers.ts) reads of it: routing,
 * liveness and read-only views of its ring. The actor builds one and shares it.
 */
export interface RingMember {
  readonly space: RingSpace
  readonly replicas: number
  readonly rpc: DhtRpc
  ring: () => RingState
  stopped: () => boolean
  lookup: (key: RingId) => Promise<LookupResult>
  isDead: (peer: PeerKey) => boolean
  markDead: (peer: PeerKey) => void
  learn: (w: WireNode) => NodeRef
  wire: (n: NodeRef) => WireNode
}

/** Where an owner's copies go: its first `replicas` successors not suspected dead. */
export function replicaTargets (m: RingMember): NodeRef[] {
  return m.ring().succs.filter(n => !m.isDead(n.peer)).slice(0, m.replicas)
}
