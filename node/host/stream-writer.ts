import type { Stream } from '@libp2p/interface'
import { NetError } from '../errors.ts'

/**
 * Writing to a libp2p 3 stream with backpressure: `send` returns false once the muxer's
 * window or buffer is full, and the next write waits for `drain` (rejected if the stream
 * closes meanwhile). Awaiting each write keeps at most one write's bytes queued.
 */
export async function writeBytes (stream: Stream, bytes: Uint8Array): Promise<void> {
  writable(stream)
  if (!stream.send(bytes)) await stream.onDrain()
}

/** One varint-length-prefixed frame (the framing StreamReader.frame reads). */
export async function writeFrame (stream: Stream, frame: Uint8Array): Promise<void> {
  writable(stream)
  const a = stream.send(varint(frame.length))
  const b = stream.send(frame)
  if (!a || !b) await stream.onDrain()
}

function writable (stream: Stream): void {
  if (stream.writeStatus !== 'writable') throw new NetError('closed', `stream is ${stream.writeStatus} for writing`, { protocol: stream.protocol })
}

/** Unsigned LEB128, as uint8-varint and ByteWriter.varint write it. */
export function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return Uint8Array.from(out)
}
