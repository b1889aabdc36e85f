import { WireError } from '../errors.ts'
import { ByteReader, ByteWriter } from './bytes.ts'
import { partsLength } from './codec.ts'

/**
 * The envelope every peerhive frame carries, inside a varint length prefix:
 *
 *   offset  size    field
 *   0       1       version   ENVELOPE_VERSION (1); any other value is rejected
 *   1       1       kind      0 message, 1 request, 2 response, 3 error, 4 keep-alive
 *   2       varint  id        request id (kinds 1-3 only)
 *   ...     rest    payload   the protocol codec's bytes (kind 3: UTF-8 error text)
 *
 * Request ids let any protocol do request/response over the same stream without
 * inventing its own correlation.
 */
export const ENVELOPE_VERSION = 1

export type Envelope =
  | { kind: 'message', payload: Uint8Array }
  | { kind: 'request', id: number, payload: Uint8Array }
  | { kind: 'response', id: number, payload: Uint8Array }
  | { kind: 'error', id: number, message: string }
  | { kind: 'keepalive' }

const KINDS = ['message', 'request', 'response', 'error', 'keepalive'] as const

/**
 * The envelope around a payload given as parts (Codec.encodeParts): the version, kind and
 * id bytes, then the parts themselves, uncopied. Concatenated, equal to encodeEnvelope.
 */
export function encodeEnvelopeParts (kind: 'message' | 'request' | 'response', id: number, payload: Uint8Array[]): Uint8Array[] {
  const w = new ByteWriter(12)
  w.u8(ENVELOPE_VERSION).u8(KINDS.indexOf(kind))
  if (kind !== 'message') w.varint(id)
  return [w.finish(), ...payload]
}

/**
 * encodeEnvelopeParts joined into one buffer: equal to encodeEnvelope around the joined
 * payload, with each part copied once (encoding a piece and then its envelope copied its
 * block twice, and those 16 KiB buffers were most of a swarm simulation's garbage).
 */
export function encodeEnvelopeJoined (kind: 'message' | 'request' | 'response', id: number, payload: Uint8Array[]): Uint8Array {
  const parts = encodeEnvelopeParts(kind, id, payload)
  const out = new Uint8Array(partsLength(parts))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

export function encodeEnvelope (e: Envelope): Uint8Array {
  const w = new ByteWriter(16 + ('payload' in e ? e.payload.length : 0))
  w.u8(ENVELOPE_VERSION).u8(KINDS.indexOf(e.kind))
  switch (e.kind) {
    case 'message': w.raw(e.payload); break
    case 'request':
    case 'response': w.varint(e.id).raw(e.payload); break
    case 'error': w.varint(e.id).raw(new TextEncoder().encode(e.message.slice(0, 512))); break
    case 'keepalive': break
  }
  return w.finish()
}

export function decodeEnvelope (bytes: Uint8Array): Envelope {
  const r = new ByteReader(bytes, 'envelope')
  const version = r.u8('version')
  if (version !== ENVELOPE_VERSION) throw new WireError('bad-version', `envelope version ${version}, expected ${ENVELOPE_VERSION}`)
  const kind = KINDS[r.u8('kind')]
  switch (kind) {
    case 'message': return { kind, payload: r.raw(r.remaining) }
    case 'request':
    case 'response': { const id = r.varint('id'); return { kind, id, payload: r.raw(r.remaining) } }
    case 'error': {
      const id = r.varint('id')
      return { kind, id, message: new TextDecoder().decode(r.raw(Math.min(r.remaining, 512))) }
    }
    case 'keepalive': r.end(); return { kind }
    default: throw new WireError('unknown-type', `envelope kind ${bytes[1]} unknown`)
  }
}
