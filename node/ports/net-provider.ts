import type { WireProtocol } from '../wire/codec.ts'
import type { NetEvent, NetPort, PeerKey } from './net.ts'

/**
 * What a transport (libp2p host or simulated network) offers the kernel: one NetPort per
 * protocol actor. `deliver` is the actor's mailbox; the transport awaits it, so a slow
 * actor slows its senders instead of growing a queue.
 */
export interface NetProvider {
  readonly self: PeerKey
  port<W>(wire: WireProtocol<W> | undefined, deliver: (ev: NetEvent<W>) => Promise<void>): NetPort<W>
}
