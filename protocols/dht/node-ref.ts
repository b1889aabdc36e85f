import type { PeerKey } from '../../node/ports/net.ts'
import type { RingId } from './ids.ts'

/** A ring member as routing state holds it: its ring id and how to reach it. */
export interface NodeRef {
  readonly id: RingId
  readonly peer: PeerKey
}

export function samePeer (a: NodeRef | undefined, b: NodeRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.peer === b.peer
}
