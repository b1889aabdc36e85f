// What the distribution benchmark's peers share, in this process or in their own
// (bench/_dist-peer.ts, bench/_two-peer-sink.ts).
import { createHash, randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Stream } from '@libp2p/interface'
import { overlay } from '../../config/schema.ts'
import { peerSchema, type PeerConfig } from '../../config/peer-config.ts'
import type { ConfigOverrides } from '../../node/swarm.ts'
import { swarmBaseConfig } from '../../node/swarm.ts'

const MIB = 1024 * 1024

/** The plain-stream baseline of the two-peer rounds: bytes only, no protocol. */
export const PLAIN_PROTOCOL = '/peerhive/bench-plain/1.0.0'

/** What the plain stream carries, over and over: one 64 KiB block, made once. */
const PLAIN_BLOCK = randomBytes(64 * 1024)

/** The plain stream's sending end: `size` bytes in 64 KiB writes, waiting for drain as the stream asks. */
export async function sendPlain (stream: Stream, size: number): Promise<void> {
  for (let sent = 0; sent < size; sent += PLAIN_BLOCK.length) {
    if (!stream.send(PLAIN_BLOCK)) await stream.onDrain()
  }
}

/** A file of `size` random bytes, written 4 MiB at a time; returns its SHA-256 (hex). */
export async function writeRandomFile (path: string, size: number): Promise<string> {
  const h = createHash('sha256')
  const fd = await open(path, 'w')
  try {
    for (let off = 0; off < size; off += 4 * MIB) {
      const b = randomBytes(Math.min(4 * MIB, size - off))
      h.update(b)
      await fd.write(b)
    }
  } finally {
    await fd.close()
  }
  return h.digest('hex')
}

export function peerConfig (dir: string, name: string, uploadBps: number, bootstrap: string[], chunks: Record<string, unknown>, tracker = false): PeerConfig {
  const base = swarmBaseConfig('tcp')
  const o: ConfigOverrides = {
    node: { dataDir: join(dir, name), logLevel: 'error' },
    // libp2p's connection monitor aborts a connection whose ping is not answered within 5 s:
    // 22 hosts on one loaded event loop stall that long, and the seed lost most of its peers
    // mid-run (they came back only at the next announce), as in bench search and dht.
    net: { bootstrap, uploadBps, lowWater: 0, connectionPingMs: 0 },
    chunks: { ...chunks, tracker }
  }
  return overlay(peerSchema, base, o, `bench peer ${name}`)
}
