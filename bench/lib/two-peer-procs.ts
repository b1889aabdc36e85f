import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createPeer } from '../../node/peer.ts'
import type { ChunksApi } from '../../protocols/chunk-exchange/api.ts'
import { PLAIN_PROTOCOL, peerConfig, writeRandomFile } from './dist-peers.ts'
import { PeerProc } from './peer-proc.ts'
import { median, type BenchTable, type Cell } from '../report.ts'

const MB = 1_000_000
const SINK = new URL('../_two-peer-sink.ts', import.meta.url).pathname
/** How long the sink may take to start, and one leg to finish (64 MiB at 1 MB/s would be far slower than any real run). */
const SINK_READY_TIMEOUT_MS = 60_000
const LEG_TIMEOUT_MS = 120_000

/** One leg: wall-clock rate, and CPU ms of both processes (sender here, receiver in the sink). */
export interface ProcsLeg { bps: number, cpuMs: number }
export interface ProcsRound { plain: ProcsLeg, ours: ProcsLeg, load: number }

const cpuS = (): number => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6 }

/**
 * Two peers in two processes, as real peers run, uncapped, `rounds` times: this process
 * sends (a plain libp2p stream, then our transfer of a fresh file as the seed) and
 * bench/_two-peer-sink.ts receives. The in-process rounds (distribution.ts `twoPeer`)
 * serialise both peers' work on one event loop; here each side has its own, so the figure
 * is what two machines (or two peers on one) get, and ratios against the plain stream
 * are taken in the same round.
 */
export async function twoPeerProcs (dir: string, size: number, chunks: Record<string, unknown>, rounds: number): Promise<ProcsRound[]> {
  await mkdir(dir, { recursive: true })
  const sink = new PeerProc('sink', SINK, JSON.stringify({ dir, size, chunks }))
  const a = await createPeer(peerConfig(dir, 'sender', 0, [], chunks))
  try {
    const ready = await sink.next('ready', SINK_READY_TIMEOUT_MS)
    const target = multiaddr((ready.multiaddrs ?? [])[0])
    await a.libp2p.dial(target)
    let sinkCpu = ready.cpuS ?? 0
    const chunksApi = a.services.get<ChunksApi>('chunks')
    if (chunksApi === undefined) throw new Error('the sender has no chunks module')
    const out: ProcsRound[] = []
    for (let r = 0; r < rounds; r++) {
      const load = loadavg()[0]
      // plain: one libp2p stream, bytes only
      const block = randomBytes(64 * 1024)
      const stream = await a.libp2p.dialProtocol(target, PLAIN_PROTOCOL)
      // The sink's go byte: its reader listens (bench/_two-peer-sink.ts).
      await new Promise(resolve => { stream.addEventListener('message', resolve, { once: true }) })
      let c0 = cpuS()
      let t0 = performance.now()
      for (let sent = 0; sent < size; sent += block.length) {
        if (!stream.send(block)) await stream.onDrain()
      }
      const plainDone = await sink.next('plain', LEG_TIMEOUT_MS)
      const plain = { bps: size / ((performance.now() - t0) / 1000), cpuMs: 1000 * (cpuS() - c0 + (plainDone.cpuS ?? 0) - sinkCpu) }
      sinkCpu = plainDone.cpuS ?? 0
      await stream.close().catch(() => {})
      // ours: a fresh file shared here, fetched by the sink, timed until verified on its disk
      const src = join(dir, `tpp-source-${r}.bin`)
      await writeRandomFile(src, size)
      const shared = await chunksApi.share(src)
      c0 = cpuS()
      t0 = performance.now()
      sink.send(JSON.stringify({ get: shared.link, out: join(dir, `tpp-out-${r}.bin`) }))
      const got = await sink.next('got', LEG_TIMEOUT_MS)
      const ours = { bps: size / ((performance.now() - t0) / 1000), cpuMs: 1000 * (cpuS() - c0 + (got.cpuS ?? 0) - sinkCpu) }
      sinkCpu = got.cpuS ?? 0
      await chunksApi.stop(shared.link)
      await rm(src, { force: true })
      out.push({ plain, ours, load })
      process.stderr.write(`distribution two-peer (two processes) round ${r + 1}/${rounds}: plain ${(plain.bps / MB).toFixed(1)} MB/s, ours ${(ours.bps / MB).toFixed(1)} MB/s, load ${load.toFixed(2)}\n`)
    }
    return out
  } finally {
    sink.send(JSON.stringify({ stop: true }))
    await sink.kill()
    await a.stop()
  }
}

export function twoPeerProcsTable (rounds: ProcsRound[], mib: number): BenchTable {
  const cells = (r: ProcsRound): number[] => [r.plain.bps / MB, r.ours.bps / MB, r.ours.bps / r.plain.bps, r.plain.cpuMs / mib, r.ours.cpuMs / mib, r.load]
  const rows: Cell[][] = rounds.map((r, i) => [`round ${i + 1}`, ...cells(r)])
  const per = rounds.map(cells)
  rows.push(['median', ...per[0].map((_, c) => median(per.map(row => row[c])))])
  return {
    title: `two peers in two processes, uncapped, ${mib} MiB over TCP 127.0.0.1 (sender here, receiver in its own process)`,
    columns: ['round', 'plain MB/s', 'ours MB/s', 'ours/plain', 'plain CPU ms/MiB', 'ours CPU ms/MiB', 'load 1 min'],
    rows,
    note: 'As real peers run: each side has its own event loop. plain: one libp2p stream, bytes only; ours: a fresh file shared by the sender and fetched by the receiver, timed until complete and verified on its disk. CPU: both processes (all threads) per MiB moved.'
  }
}

