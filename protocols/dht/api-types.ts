import type { PeerKey } from '../../node/ports/net.ts'
import type { ProviderRecord } from '../../node/contracts.ts'
import type { FingerEntry } from './fingers.ts'
import type { RingId } from './ids.ts'
import type { NodeRef } from './node-ref.ts'
import type { RingState } from './ring.ts'
import type { Reply } from '../../node/kernel/actor.ts'
import type { NetEvent } from '../../node/ports/net.ts'
import type { DhtMsg, WireNode } from './messages.ts'

export interface PutResult {
  /** The member that stored the pair as owner. */
  owner: PeerKey
  /** Copies acknowledged besides the owner. */
  replicas: number
  hops: number
}

export interface GetResult {
  found: boolean
  value?: Uint8Array
  /** Who answered (the owner, or a replica when the owner was unreachable). */
  holder?: PeerKey
  hops: number
}

export interface FindResult {
  peer: PeerKey
  id: RingId
  hops: number
}

/** This peer's routing state, as `dht ring` shows it. */
export interface RingView {
  bits: number
  ring: RingState
  fingers: readonly FingerEntry[]
  records: number
  providers: number
}

export type Tick = 'stabilize' | 'fingers' | 'check-pred' | 'ping-succs' | 'repair' | 'republish'

/** Everything the DHT actor's mailbox accepts: API asks, timer ticks, task results, net events. */
export type DhtInbox =
  | NetEvent<DhtMsg>
  | { type: 'tick', tick: Tick }
  | { type: 'put', key: string, value: Uint8Array, reply: Reply<PutResult> }
  | { type: 'get', key: string, reply: Reply<GetResult> }
  | { type: 'find', key: RingId, reply: Reply<FindResult> }
  | { type: 'view', reply: Reply<RingView> }
  | { type: 'join', via: string[], reply: Reply<void> }
  | { type: 'provide', key: string, reply: Reply<void> }
  | { type: 'find-providers', key: string, limit: number, reply: Reply<ProviderRecord[]> }
  /** Task results, applied in order by the actor (tasks never mutate state). */
  /** `rejoin`: we were in another ring (see rejoinIfElsewhere), adopt this one anyway. */
  | { type: 'joined', succ: WireNode, succs: WireNode[], rejoin: boolean }
  | { type: 'stabilized', succ: WireNode, pred?: WireNode, succs: WireNode[], closer?: { node: WireNode, succs: WireNode[] } }
  | { type: 'dead', peer: PeerKey }
  | { type: 'alive', peer: PeerKey }
  | { type: 'finger', index: number, node: NodeRef }
  /** A joiner's first fingers, from its successor's table (the Chord paper's join optimisation). */
  | { type: 'finger-hints', nodes: NodeRef[] }
  | { type: 'local-put', key: string, value: Uint8Array, reply: Reply<number> }
  /** Stale copies the key's owner confirmed it holds (at these versions or newer): drop ours unless they changed or we own them now. */
  | { type: 'drop-stale', items: Array<{ key: string, ver: number }> }
  | { type: 'local-provider', key: string, provider: WireNode, ttlMs: number, reply: Reply<void> }
