/**
 * The net port, as one protocol actor sees it: typed messages to and from peers, and
 * connection events. On a real peer it rides libp2p streams (length-prefixed frames of
 * the protocol's codec); in the simulator, simulated links. Actors never see which.
 */
declare const peerKeyBrand: unique symbol
/** A peer's id in string form (base58 multihash on libp2p). */
export type PeerKey = string & { readonly [peerKeyBrand]: true }

export function asPeerKey (s: string): PeerKey {
  return s as PeerKey
}

export interface RequestOptions {
  /** Deadline on the injected clock; default from the net adapter (10 s). */
  timeoutMs?: number
}

export interface NetPort<W> {
  /** This peer. */
  readonly self: PeerKey
  /** One-way message. Rejects with NetError (not-connected, closed, banned...). */
  send(to: PeerKey, msg: W): Promise<void>
  /** Request and wait for the remote actor's response. Rejects with NetError on timeout or remote error. */
  request(to: PeerKey, msg: W, opts?: RequestOptions): Promise<W>
  /** Open a connection to a known peer, or to multiaddr(s); resolves to its key. */
  connect(target: PeerKey | string | string[]): Promise<PeerKey>
  disconnect(peer: PeerKey): Promise<void>
  /** Peers with a live connection now. */
  connected(): PeerKey[]
  /** Known addresses of `peer` (address book), or our own when omitted. */
  addresses(peer?: PeerKey): string[]
  /** Count misbehaviour (e.g. a chunk failing its hash); the host bans past a threshold. */
  strike(peer: PeerKey, reason: string): void
}

/** What the net delivers into a protocol actor's mailbox. */
export type NetEvent<W> =
  | { type: 'net:message', from: PeerKey, msg: W }
  | { type: 'net:request', from: PeerKey, msg: W, respond: Responder<W> }
  | { type: 'net:connect', peer: PeerKey }
  | { type: 'net:disconnect', peer: PeerKey }

export interface Responder<W> {
  ok(msg: W): void
  error(message: string): void
}

export function isNetEvent (m: { type: string }): m is NetEvent<unknown> {
  return m.type.startsWith('net:')
}
