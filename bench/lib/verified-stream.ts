import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import type { Stream } from '@libp2p/interface'

// The "verified plain" transfer of the distribution benchmark: the work every checked,
// persisted transfer must do, over one plain libp2p stream with no protocol at all. Its
// rate is the floor our chunk exchange is measured against.

export const VERIFIED_PROTOCOL = '/peerhive/bench-verified/1.0.0'

/**
 * The sending end: read `src` a chunk at a time (the next read runs while this chunk is
 * sent, as our seed reads off its mailbox), hash each chunk (as our seed does before
 * uploading), send it in 64 KiB writes.
 */
export async function sendVerified (stream: Stream, src: string, size: number, chunkSize: number): Promise<void> {
  const fd = await open(src, 'r')
  const read = async (off: number): Promise<Uint8Array> => {
    const chunk = Buffer.allocUnsafeSlow(Math.min(chunkSize, size - off))
    await fd.read(chunk, 0, chunk.length, off)
    return chunk
  }
  try {
    let next = read(0)
    for (let off = 0; off < size; off += chunkSize) {
      const chunk = await next
      if (off + chunkSize < size) next = read(off + chunkSize)
      createHash('sha256').update(chunk).digest()
      for (let at = 0; at < chunk.length; at += 64 * 1024) {
        if (!stream.send(chunk.subarray(at, at + 64 * 1024))) await stream.onDrain()
      }
    }
  } finally {
    await fd.close()
  }
}

/** The receiving end: chunks assembled, hashed, written in order of arrival, then one fsync. */
export async function verifiedSink (source: AsyncIterable<Uint8Array | Iterable<Uint8Array>>, out: string, size: number, chunkSize: number): Promise<void> {
  const fd = await open(out, 'w')
  const writes: Array<Promise<unknown>> = []
  try {
    let chunk = new Uint8Array(Math.min(chunkSize, size))
    let filled = 0
    let at = 0
    // A Uint8ArrayList is walked buffer by buffer: its subarray() would copy.
    for await (const part of source) {
      for (let data of part instanceof Uint8Array ? [part] : part) {
        while (data.length > 0 && at < size) {
          const k = Math.min(chunk.length - filled, data.length)
          chunk.set(data.subarray(0, k), filled)
          filled += k
          data = data.subarray(k)
          if (filled === chunk.length) {
            createHash('sha256').update(chunk).digest()
            writes.push(fd.write(chunk, 0, chunk.length, at))
            at += chunk.length
            if (at < size) chunk = new Uint8Array(Math.min(chunkSize, size - at))
            filled = 0
          }
        }
      }
      if (at >= size) break
    }
    await Promise.all(writes)
    await fd.sync()
  } finally {
    await fd.close()
  }
}
