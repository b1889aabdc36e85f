/**
 * The receiving peer of `npm run bench -- distribution`'s two-process rounds, in its own
 * Node process (as real peers run: one per process, each with its own event loop):
 *
 *   node bench/_two-peer-sink.ts '{"dir": "...", "size": <bytes>, "chunks": {...}}'
 *
 * It talks to the parent in lines:
 *   stdout (JSON): {event:'ready', multiaddrs, cpuS} once listening,
 *                  {event:'plain', cpuS} when a plain stream delivered `size` bytes,
 *                  {event:'got', cpuS} when a download (`get`) is complete and verified,
 *                  {event:'error', message} before exiting on a failure.
 *   stdin (JSON):  {get: link, out: path} fetch a link with the chunk exchange, {stop: true}.
 *                  A closed stdin means the parent is gone: the peer stops and exits.
 * `cpuS` is this process's CPU time so far (all threads); the parent takes differences.
 * Not a benchmark itself: the leading underscore keeps bench/run.ts from listing it.
 */
import { createInterface } from 'node:readline'
import { rm } from 'node:fs/promises'
import { createPeer } from '../node/peer.ts'
import { READ_HIGH_WATER_BYTES, READ_LOW_WATER_BYTES } from '../node/host/constants.ts'
import { StreamReader } from '../node/host/stream-reader.ts'
import type { ChunksApi } from '../protocols/chunk-exchange/api.ts'
import { PLAIN_PROTOCOL, peerConfig } from './lib/dist-peers.ts'

/** What the sink sends on a plain stream once its reader listens (the sender waits for it). */
const GO = new Uint8Array([1])

interface SinkSpec { dir: string, size: number, chunks: Record<string, unknown> }

function emit (line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

const cpuS = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6 }

async function main (spec: SinkSpec): Promise<void> {
  const peer = await createPeer(peerConfig(spec.dir, 'sink', 0, [], spec.chunks))
  let stopping: Promise<void> | undefined
  const stop = async (code: number): Promise<never> => {
    stopping ??= peer.stop().catch((err: Error) => { process.stderr.write(`two-peer sink: stop failed: ${err.message}\n`) })
    await stopping
    process.exit(code)
  }
  process.once('SIGTERM', () => { void stop(0) })
  // Read through a StreamReader: a libp2p 3 stream aborts past 4 MiB unread, and a receiver
  // in its own process falls that far behind a plain sender; the reader pauses the stream
  // (yamux then withholds window updates) as every channel of ours does.
  await peer.libp2p.handle(PLAIN_PROTOCOL, async (stream) => {
    const reader = new StreamReader(stream, { highWater: READ_HIGH_WATER_BYTES, lowWater: READ_LOW_WATER_BYTES })
    let got = 0
    try {
      // The go byte: the sender starts once the reader is listening (before, a sender at full
      // speed filled the unread buffer past libp2p's limit while this handler was not yet called).
      stream.send(GO)
      while (got < spec.size) {
        const chunk = await reader.chunk(READ_HIGH_WATER_BYTES)
        if (chunk === null) throw new Error(`plain stream ended after ${got} of ${spec.size} bytes`)
        got += chunk.byteLength
      }
      emit({ event: 'plain', cpuS: cpuS() })
    } catch (err) {
      emit({ event: 'error', message: `plain stream: ${(err as Error).message}` })
    }
    reader.detach()
    await stream.close().catch(() => {})
  })
  emit({ event: 'ready', multiaddrs: peer.multiaddrs(), cpuS: cpuS() })
  const chunks = peer.services.get<ChunksApi>('chunks')
  if (chunks === undefined) throw new Error('the sink peer has no chunks module')
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line) as { get?: string, out?: string, stop?: boolean }
    if (cmd.stop === true) break
    if (cmd.get !== undefined && cmd.out !== undefined) {
      const h = await chunks.get(cmd.get, { out: cmd.out })
      await h.done
      emit({ event: 'got', cpuS: cpuS() })
      await rm(cmd.out, { force: true })
    }
  }
  await stop(0)
}

main(JSON.parse(process.argv[2] ?? '{}') as SinkSpec).catch((err: Error) => {
  emit({ event: 'error', message: err.message })
  process.exit(1)
})
