import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { NetError } from '../errors.ts'
import { varint } from '../wire/bytes.ts'

/**
 * Writing to a libp2p 3 stream with backpressure. `send` never refuses bytes: past the
 * muxer's window they wait in the stream's write buffer. Its `drain` event is no limit
 * either, since a connection-level drain wakes every stream on the connection, window or
 * not: a writer that resumes on `drain` piles its whole payload into the write buffer of
 * a stream whose reader paused. So a write resolves only once the stream's write buffer is
 * empty (`idle`): everything went into the receiver's window, and a paused reader (no
 * window updates) holds the writer.
 */
export async function writeBytes (stream: Stream, bytes: Uint8Array | Uint8ArrayList): Promise<void> {
  writable(stream)
  // libp2p's interface types name uint8arraylist 3, noise and yamux use 2: the same class
  // at runtime (both recognise a list by its Symbol.for tag), distinct to the type checker.
  stream.send(bytes as Parameters<Stream['send']>[0])
  await flushed(stream)
}

/** One varint-length-prefixed frame (the framing StreamReader.frame reads). */
export async function writeFrame (stream: Stream, frame: Uint8Array): Promise<void> {
  writable(stream)
  stream.send(varint(frame.length))
  stream.send(frame)
  await flushed(stream)
}

async function flushed (stream: Stream): Promise<void> {
  if (stream.writeBufferLength === 0) return
  await new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.removeEventListener('idle', onIdle)
      stream.removeEventListener('close', onClose)
    }
    const onIdle = (): void => { done(); resolve() }
    const onClose = (evt: Event): void => {
      done()
      const err = (evt as Event & { error?: Error }).error
      reject(new NetError('closed', `stream closed with ${stream.writeBufferLength} bytes unsent${err !== undefined ? `: ${err.message}` : ''}`, { protocol: stream.protocol }, { cause: err }))
    }
    stream.addEventListener('idle', onIdle)
    stream.addEventListener('close', onClose)
  })
}

function writable (stream: Stream): void {
  if (stream.writeStatus !== 'writable') throw new NetError('closed', `stream is ${stream.writeStatus} for writing`, { protocol: stream.protocol })
}

