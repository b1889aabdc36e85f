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
  /**
   * Open a bulk stream to `to` for a payload too large for one frame: `header` (one of the
   * protocol's messages, within maxMessageBytes) says what follows, then raw bytes up to
   * the wire protocol's `maxBulkBytes`. The remote actor gets a `net:bulk` event. Rejects
   * with NetError as `send` does, or when the protocol declares no bulk path.
   */
  openBulk(to: PeerKey, header: W): Promise<BulkWriter>
}

/** The sending end of a bulk stream. */
export interface BulkWriter {
  /**
   * Queue bytes; resolves once the transport took them (rate caps and the receiver's
   * window included), so awaiting each write is the backpressure. Rejects with WireError
   * `oversized` past maxBulkBytes, or NetError `closed` when the stream was reset.
   */
  write(chunk: Uint8Array): Promise<void>
  /** Flush and end the stream: the receiver's source ends after the last byte. */
  close(): Promise<void>
  /** Reset the stream: the receiver's source throws. */
  abort(reason?: string): void
  /** Bytes written so far. */
  readonly bytes: number
}

/**
 * The receiving end of a bulk stream: iterate it to read (each step pulls from the
 * network, so a slow reader slows the sender). It throws WireError `oversized` when the
 * sender goes past maxBulkBytes (the stream is reset and the sender struck), NetError
 * `closed` when the stream is reset or the connection drops.
 */
export interface BulkSource extends AsyncIterable<Uint8Array> {
  /** Refuse or stop reading: resets the stream, the sender's writes reject. Idempotent. */
  abort(reason?: string): void
}

/** What the net delivers into a protocol actor's mailbox. */
export type NetEvent<W> =
  | { type: 'net:message', from: PeerKey, msg: W }
  | { type: 'net:request', from: PeerKey, msg: W, respond: Responder<W> }
  | { type: 'net:connect', peer: PeerKey }
  | { type: 'net:disconnect', peer: PeerKey }
  /**
   * A bulk stream opened by `from` (only on protocols with `maxBulkBytes`). The actor must
   * read `source` to its end or `abort` it; read it detached (not inside `receive`), it
   * arrives at the network's pace.
   */
  | { type: 'net:bulk', from: PeerKey, header: W, source: BulkSource }

export interface Responder<W> {
  ok(msg: W): void
  error(message: string): void
}

export function isNetEvent (m: { type: string }): m is NetEvent<unknown> {
  return m.type.startsWith('net:')
}
