import { mkdir, rm } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../../node/peer.ts'
import type { ChunksApi } from '../../protocols/chunk-exchange/api.ts'
import { PLAIN_PROTOCOL, peerConfig, sendPlain, writeRandomFile } from './dist-peers.ts'
import { PeerProc } from './peer-proc.ts'
import { VERIFIED_PROTOCOL, sendVerified } from './verified-stream.ts'
import type { Stream } from '@libp2p/interface'
import type { Leg, TwoPeerRound } from './two-peer-table.ts'

const MB = 1_000_000
const SINK = new URL('../_two-peer-sink.ts', import.meta.url).pathname
/** How long the sink may take to start, and one leg to finish (64 MiB at 1 MB/s would be far slower than any real run). */
const SINK_READY_TIMEOUT_MS = 60_000
const LEG_TIMEOUT_MS = 120_000

const cpuS = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6 }

/**
 * Two peers in two processes, as real peers run, uncapped, `rounds` times: this process
 * sends (a plain libp2p stream, the same stream doing the verified-transfer work, then our
 * transfer of a fresh file as the seed) and bench/_two-peer-sink.ts receives. The in-process rounds (distribution.ts `twoPeer`)
 * serialise both peers' work on one event loop; here each side has its own, so the figure
 * is what two machines (or two peers on one) get, and ratios against the plain stream
 * are taken in the same round.
 */
export async function twoPeerProcs (dir: string, size: number, chunks: Record<string, unknown>, chunkSize: number, rounds: number): Promise<TwoPeerRound[]> {
  await mkdir(dir, { recursive: true })
  const sink = new PeerProc('sink', SINK, JSON.stringify({ dir, size, chunkSize, chunks }))
  const a = await createPeer(peerConfig(dir, 'sender', 0, [], chunks))
  try {
    const ready = await sink.next('ready', SINK_READY_TIMEOUT_MS)
    const target = multiaddr((ready.multiaddrs ?? [])[0])
    await a.libp2p.dial(target)
    let sinkCpu = ready.cpuS ?? 0
    const chunksApi = a.services.get<ChunksApi>('chunks')
    if (chunksApi === undefined) throw new Error('the sender has no chunks module')
    // Both sides' CPU over one leg: ours here, the sink's from its report.
    const leg = async (t0: number, c0: number, event: string): Promise<Leg> => {
      const done = await sink.next(event, LEG_TIMEOUT_MS)
      const ms = performance.now() - t0
      const l = { bps: size / (ms / 1000), cpuMs: 1000 * (cpuS() - c0 + (done.cpuS ?? 0) - sinkCpu) }
      sinkCpu = done.cpuS ?? 0
      return l
    }
    // A stream the sink reads: it sends a go byte once its reader listens (bench/_two-peer-sink.ts).
    const open = async (protocol: string): Promise<Stream> => {
      const stream = await a.libp2p.dialProtocol(target, protocol)
      await new Promise(resolve => { stream.addEventListener('message', resolve, { once: true }) })
      return stream
    }
    const out: TwoPeerRound[] = []
    for (let r = 0; r < rounds; r++) {
      const load = loadavg()[0]
      const src = join(dir, `tpp-source-${r}.bin`)
      await writeRandomFile(src, size)
      // plain: one libp2p stream, bytes only
      let stream = await open(PLAIN_PROTOCOL)
      let c0 = cpuS()
      let t0 = performance.now()
      await sendPlain(stream, size)
      const plain = await leg(t0, c0, 'plain')
      await stream.close().catch(() => {})
      // verified plain: the same stream doing the hashing and disk work, no protocol
      stream = await open(VERIFIED_PROTOCOL)
      c0 = cpuS()
      t0 = performance.now()
      await sendVerified(stream, src, size, chunkSize)
      const verified = await leg(t0, c0, 'verified')
      await stream.close().catch(() => {})
      // ours: the file shared here, fetched by the sink, timed until verified on its disk
      const shared = await chunksApi.share(src)
      c0 = cpuS()
      t0 = performance.now()
      sink.send(JSON.stringify({ get: shared.link, out: join(dir, `tpp-out-${r}.bin`) }))
      const ours = await leg(t0, c0, 'got')
      await chunksApi.stop(shared.link)
      await rm(src, { force: true })
      out.push({ plain, verified, ours, load })
      process.stderr.write(`distribution two-peer (two processes) round ${r + 1}/${rounds}: plain ${(plain.bps / MB).toFixed(1)} MB/s, verified plain ${(verified.bps / MB).toFixed(1)} MB/s, ours ${(ours.bps / MB).toFixed(1)} MB/s, load ${load.toFixed(2)}\n`)
    }
    return out
  } finally {
    sink.send(JSON.stringify({ stop: true }))
    await sink.kill()
    await a.stop()
  }
}

/** The table's title and note (lib/two-peer-table.ts draws it). */
export const TWO_PEER_PROCS_TITLE = (mib: number): string => `two peers in two processes, uncapped, ${mib} MiB over TCP 127.0.0.1 (sender here, receiver in its own process)`

export const TWO_PEER_PROCS_NOTE = 'As real peers run: each side has its own event loop. plain: one libp2p stream, bytes only; verified plain: the same with the hashing and disk work of a checked, persisted transfer (lib/verified-stream.ts), no protocol; ours: the file shared by the sender and fetched by the receiver, timed until complete and verified on its disk. The receiver reads both plain streams through a pausing StreamReader (a libp2p stream aborts past 4 MiB unread). CPU: both processes (all threads) per MiB moved.'

