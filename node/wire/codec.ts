import { WireError } from '../errors.ts'

/**
 * A protocol's wire format: a pure, versioned codec with limits. `decode` throws a
 * WireError for anything it does not accept; it never returns a half-valid message.
 */
export interface Codec<W> {
  encode(msg: W): Uint8Array
  decode(bytes: Uint8Array): W
  /**
   * Optional: the same bytes as `encode`, as parts to be sent back to back. A message that
   * carries a large payload (a chunk's block) returns its small header and the payload
   * itself, so the payload is copied once on its way to the socket instead of once per layer.
   */
  encodeParts?(msg: W): Uint8Array[]
}

/** A message's encoding as parts (one part when the codec has no `encodeParts`). */
export function encodeParts<W> (codec: Codec<W>, msg: W): Uint8Array[] {
  return codec.encodeParts !== undefined ? codec.encodeParts(msg) : [codec.encode(msg)]
}

/** Total length of parts. */
export function partsLength (parts: readonly Uint8Array[]): number {
  let n = 0
  for (const p of parts) n += p.length
  return n
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

/** A message's parts (see encodeParts), refused with WireError `oversized` past the protocol's limit. */
export function encodeChecked<W> (wire: WireProtocol<W>, msg: W): Uint8Array[] {
  const parts = encodeParts(wire.codec, msg)
  const bytes = partsLength(parts)
  if (bytes > wire.maxMessageBytes) {
    throw new WireError('oversized', `${wire.id}: outgoing message of ${bytes} bytes exceeds ${wire.maxMessageBytes}`, { protocol: wire.id, bytes })
  }
  return parts
}
