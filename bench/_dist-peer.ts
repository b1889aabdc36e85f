/**
 * One peer of `npm run bench -- distribution --procs`, in its own Node process, so that no
 * two peers share an event loop (in one process, 22 hosts' Noise + Yamux at ~48 MB/s made
 * the run CPU-bound: it measured the event loop, not the distribution policies).
 *
 *   node bench/_dist-peer.ts '<DistPeerSpec as JSON>'
 *
 * Same config as the in-process swarm (`peerConfig` in distribution.ts: upload cap, chunk
 * size, no connection pings). It talks to the parent in lines:
 *   stdout (JSON): {event:'ready', multiaddrs, link?} once connected (the seed after sharing `src`),
 *                  {event:'done', have, of} when a leecher has the whole verified file,
 *                  {event:'status', uploaded, uploadedToSpread, have, of, cpuS, uncaught} on request,
 *                  {event:'error', message} before exiting on a failure.
 *   stdin (text):  'go' (a leecher starts its download; everyone starts its CPU clock),
 *                  'status', 'stop'. A closed stdin means the parent is gone: the peer stops
 *                  and exits, so a crashed bench leaves no orphans.
 * Not a benchmark itself: the leading underscore keeps bench/run.ts from listing it.
 */
import { createInterface } from 'node:readline'
import { createPeer } from '../node/peer.ts'
import { createLogger, stderrSink } from '../node/ports/logger.ts'
import { installFaultGuard } from '../node/upstream-faults.ts'
import type { ChunksApi as Chunks } from '../protocols/chunk-exchange/api.ts'
import { peerConfig } from './lib/dist-peers.ts'

export interface DistPeerSpec {
  role: 'tracker' | 'seed' | 'leecher'
  dir: string
  name: string
  uploadBps: number
  bootstrap: string[]
  chunks: Record<string, unknown>
  /** seed: the file to share. */
  src?: string
  /** leecher: what to fetch, and where to write it. */
  link?: string
  out?: string
}

/** How long a peer may take to reach the tracker before it reports an error instead of ready. */
const CONNECT_TIMEOUT_MS = 20_000
const CONNECT_POLL_MS = 25

function emit (line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

async function main (spec: DistPeerSpec): Promise<void> {
  // As bench/run.ts does for in-process runs: the known upstream yamux fault is survived and
  // counted (reported in status); anything else uncaught ends this peer with exit code 1.
  const guard = installFaultGuard(createLogger(stderrSink(), { level: 'warn', scope: `dist-peer ${spec.name}` }), code => process.exit(code))

  const peer = await createPeer(peerConfig(spec.dir, spec.name, spec.uploadBps, spec.bootstrap, spec.chunks, spec.role === 'tracker'))
  let stopping: Promise<void> | undefined
  const stop = async (code: number): Promise<never> => {
    stopping ??= peer.stop().catch((err: Error) => { process.stderr.write(`dist-peer ${spec.name}: stop failed: ${err.message}\n`) })
    await stopping
    process.exit(code)
  }
  process.once('SIGTERM', () => { void stop(0) })
  try {
    const chunks = peer.services.get<Chunks>('chunks') as Chunks
    if (spec.role !== 'tracker') {
      for (let waited = 0; peer.libp2p.getPeers().length === 0; waited += CONNECT_POLL_MS) {
        if (waited >= CONNECT_TIMEOUT_MS) throw new Error(`${spec.name} did not reach the tracker at ${spec.bootstrap.join(', ')} within ${CONNECT_TIMEOUT_MS} ms`)
        await new Promise(resolve => setTimeout(resolve, CONNECT_POLL_MS))
      }
    }
    let link = spec.link
    if (spec.role === 'seed') {
      if (spec.src === undefined) throw new Error(`${spec.name}: a seed needs src`)
      link = (await chunks.share(spec.src)).link
    }
    let c0 = process.cpuUsage()
    const commands = createInterface({ input: process.stdin })
    commands.on('close', () => { void stop(0) })
    emit({ event: 'ready', multiaddrs: peer.multiaddrs(), link })
    for await (const cmd of commands) {
      if (cmd === 'go') {
        c0 = process.cpuUsage()
        if (spec.role === 'leecher') {
          if (link === undefined || spec.out === undefined) throw new Error(`${spec.name}: a leecher needs link and out`)
          const h = await chunks.get(link, { out: spec.out, seed: true })
          h.done.then(
            fin => { emit({ event: 'done', have: fin.chunksHave, of: fin.chunks }) },
            (err: Error) => { emit({ event: 'error', message: `${spec.name} download failed: ${err.message}` }) }
          )
        }
      } else if (cmd === 'status') {
        const t = link === undefined ? undefined : (await chunks.status()).transfers.find(x => x.link === link)
        const cpu = process.cpuUsage(c0)
        emit({ event: 'status', uploaded: t?.uploaded ?? 0, uploadedToSpread: t?.uploadedToSpread, have: t?.chunksHave ?? 0, of: t?.chunks ?? 0, cpuS: (cpu.user + cpu.system) / 1e6, uncaught: guard.survived })
      } else if (cmd === 'stop') {
        break
      }
    }
    await stop(0)
  } catch (err) {
    emit({ event: 'error', message: (err as Error).message })
    await stop(1)
  }
}

if (import.meta.main) {
  await main(JSON.parse(process.argv[2]) as DistPeerSpec)
}

