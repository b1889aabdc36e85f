/**
 * A protocol's wire format: a pure, versioned codec with limits. `decode` throws a
 * WireError for anything it does not accept; it never returns a half-valid message.
 */
export interface Codec<W> {
  encode(msg: W): Uint8Array
  decode(bytes: Uint8Array): W
}

export interface WireProtocol<W> {
  /** libp2p protocol id, `/peerhive/<name>/<major>.0.0`. */
  id: string
  codec: Codec<W>
  /** Largest encoded message accepted or sent; larger frames reset the stream. */
  maxMessageBytes: number
  /**
   * Largest payload of one bulk stream (NetPort.openBulk). Unset: the protocol has no bulk
   * path (no `<id>/bulk` handler is registered and openBulk rejects).
   */
  maxBulkBytes?: number
}
