/**
 * The receiving peer of `npm run bench -- distribution`'s two-process rounds, in its own
 * Node process (as real peers run: one per process, each with its own event loop):
 *
 *   node bench/_two-peer-sink.ts '{"dir": "...", "size": <bytes>, "chunkSize": <bytes>, "chunks": {...}}'
 *
 * It talks to the parent in lines:
 *   stdout (JSON): {event:'ready', multiaddrs, cpuS} once listening,
 *                  {event:'plain', cpuS} when a plain stream delivered `size` bytes,
 *                  {event:'verified', cpuS} when a verified stream's file is written and synced,
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
import { VERIFIED_PROTOCOL, verifiedSink } from './lib/verified-stream.ts'
import type { Stream } from '@libp2p/interface'
import { join } from 'node:path'

/** What the sink sends on an incoming stream once its reader listens (the sender waits for it). */
const GO = new Uint8Array([1])

interface SinkSpec { dir: string, size: number, chunkSize: number, chunks: Record<string, unknown> }

const spec = JSON.parse(process.argv[2] ?? '{}') as SinkSpec

function emit (line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

const cpuS = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6 }

/**
 * Take `size` bytes off one incoming stream with `consume`, then report `event` (or an
 * error). Read through a StreamReader: a libp2p 3 stream aborts past 4 MiB unread, and a
 * receiver in its own process falls that far behind a sender at full speed; the reader
 * pauses the stream (yamux then withholds window updates) as every channel of ours does.
 * The go byte tells the sender the reader listens: before it, a sender at full speed
 * filled the unread buffer past libp2p's limit while this handler was not yet called.
 */
async function receive (stream: Stream, event: string, consume: (source: AsyncIterable<Uint8Array>) => Promise<void>): Promise<void> {
  const reader = new StreamReader(stream, { highWater: READ_HIGH_WATER_BYTES, lowWater: READ_LOW_WATER_BYTES })
  try {
    stream.send(GO)
    await consume((async function * () {
      for (let left = spec.size; left > 0;) {
        const chunk = await reader.chunk(Math.min(left, READ_HIGH_WATER_BYTES))
        if (chunk === null) return
        left -= chunk.byteLength
        yield chunk
      }
    })())
    emit({ event, cpuS: cpuS() })
  } catch (err) {
    emit({ event: 'error', message: `${event} stream: ${(err as Error).message}` })
  }
  reader.detach()
  await stream.close().catch(() => {})
}

async function main (): Promise<void> {
  const peer = await createPeer(peerConfig(spec.dir, 'sink', 0, [], spec.chunks))
  let stopping: Promise<void> | undefined
  const stop = async (code: number): Promise<never> => {
    stopping ??= peer.stop().catch((err: Error) => { process.stderr.write(`two-peer sink: stop failed: ${err.message}\n`) })
    await stopping
    process.exit(code)
  }
  process.once('SIGTERM', () => { void stop(0) })
  await peer.libp2p.handle(PLAIN_PROTOCOL, async (stream) => {
    await receive(stream, 'plain', async (source) => {
      let got = 0
      for await (const chunk of source) got += chunk.byteLength
      if (got < spec.size) throw new Error(`stream ended after ${got} of ${spec.size} bytes`)
    })
  })
  await peer.libp2p.handle(VERIFIED_PROTOCOL, async (stream) => {
    const out = join(spec.dir, 'verified-out.bin')
    await receive(stream, 'verified', async (source) => { await verifiedSink(source, out, spec.size, spec.chunkSize) })
    await rm(out, { force: true })
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

main().catch((err: Error) => {
  emit({ event: 'error', message: err.message })
  process.exit(1)
})
