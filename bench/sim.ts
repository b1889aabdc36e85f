/**
 * `npm run bench -- sim [--json] [--quick] [--dht-peers N] [--lookups N] [--chunk-peers N] [--sweep 1,2,...] [--only textbook,dht,chunks]`
 *
 * The simulator's figures: the textbook distribution example on virtual time (simulated
 * time against D_P2P and D_cs per N), and scale (a DHT of 10,000 peers with 10,000
 * lookups; a 1,000-peer chunk-exchange swarm) with events per second and peak memory.
 */
import { availableParallelism } from 'node:os'
import { environment, type BenchReport, type BenchTable, type Cell } from './report.ts'
import { runScenario } from '../node/sim/run-scenario.ts'
import type { Scenario } from '../node/sim/scenario.ts'
import { simulate, type SimResult } from '../node/sim/simulate.ts'

/** Textbook example: client upload u, F/u = 1 hour, server u_s = 10u, downloads d = u_s. */
const U = 1024
const F = 3600 * U
const TEXTBOOK_CHUNK = 64 * 1024
const TEXTBOOK_BLOCK = 16 * 1024

export function textbookScenario (n: number[], seed = 1): Scenario {
  return {
    name: 'textbook',
    seed,
    workload: 'chunks',
    file: { sizeBytes: F, chunkSize: TEXTBOOK_CHUNK, blockSize: TEXTBOOK_BLOCK },
    peers: [
      { count: 1, role: 'seed', uploadBps: 10 * U, downloadBps: 10 * U },
      { count: 1, role: 'leecher', uploadBps: U, downloadBps: 10 * U }
    ],
    sweep: { n },
    until: 48 * 3600_000
  }
}

/** Maintenance periods for a 10,000-peer ring: the defaults are tuned for small LAN rings. */
const DHT_SCALE_CONFIG = { dht: { stabilizeMs: 5_000, fixFingersMs: 5_000, checkPredecessorMs: 10_000, pingSuccessorsMs: 30_000, repairMs: 120_000 } }

const mib = (b: number): number => Math.round(b / 1048576)

function flag (args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}

export async function run (args: string[]): Promise<BenchReport> {
  const quick = args.includes('--quick')
  const only = (flag(args, 'only') ?? 'textbook,dht,chunks').split(',')
  const tables: BenchTable[] = []
  const ratios: Record<string, number> = {}
  const scale: Cell[][] = []

  if (only.includes('textbook')) {
    const ns = (flag(args, 'sweep') ?? (quick ? '1,2,5,10,20,30' : '1,2,3,4,5,6,8,10,12,15,20,25,30,100,1000')).split(',').map(Number)
    const res = await runScenario(textbookScenario(ns), { keepTrace: false, onRun: r => { process.stderr.write(`textbook ${r.name}: ${(r.perf.wallMs / 1000).toFixed(1)} s wall\n`) } })
    const rows = (res.sweep ?? []).map((s, i) => [s.n, round(s.dCsS), round(s.dP2PS), round(s.simulatedS), round(s.simulatedS / s.dP2PS, 3), res.runs[i].swarm.completed, res.runs[i].events, round(res.runs[i].perf.wallMs / 1000, 1)] as Cell[])
    tables.push({
      title: 'Textbook example on virtual time: F/u = 1 h, u_s = 10u, d = u_s (seconds)',
      columns: ['N', 'D_cs', 'D_P2P', 'simulated', 'simulated/D_P2P', 'completed', 'events', 'wall s'],
      rows,
      note: `F = ${F} bytes, u = ${U} B/s, chunk ${TEXTBOOK_CHUNK} B, block ${TEXTBOOK_BLOCK} B; target: simulated/D_P2P <= 1.2 at every N.`
    })
    const worst = Math.max(...(res.sweep ?? []).map(s => s.simulatedS / s.dP2PS))
    ratios['textbook.simulated_over_p2p.max'] = Number.isFinite(worst) ? round(worst, 3) : Number.NaN
  }

  if (only.includes('dht')) {
    const n = Number(flag(args, 'dht-peers') ?? (quick ? 1000 : 10_000))
    const lookups = Number(flag(args, 'lookups') ?? (quick ? 1000 : 10_000))
    const r = await simulate({
      name: `dht N=${n}`,
      seed: 1,
      workload: 'dht',
      config: DHT_SCALE_CONFIG,
      peers: [{ count: n, joinSpreadMs: n * 10 }],
      dht: { lookups, settleMs: 60_000, perSecond: 500 },
      until: 3600_000,
      keepTrace: false
    })
    const s = r.summary as { answered: number, correct: number, failed: number, meanHops: number }
    scale.push(scaleRow(r, `${s.answered}/${lookups} answered, ${s.correct} correct, mean hops ${round(s.meanHops, 2)} (½·log2 N = ${round(Math.log2(n) / 2, 2)})`))
  }

  if (only.includes('chunks')) {
    const n = Number(flag(args, 'chunk-peers') ?? (quick ? 100 : 1000))
    const r = await simulate({
      name: `chunks N=${n}`,
      seed: 1,
      workload: 'chunks',
      file: { sizeBytes: 1 << 20, chunkSize: 64 * 1024, blockSize: 16 * 1024 },
      config: { chunks: { uploadCacheChunks: 0 } },
      peers: [{ count: 1, role: 'seed', uploadBps: 1 << 20 }, { count: n, role: 'leecher', uploadBps: 256 * 1024, downloadBps: 1 << 20, joinSpreadMs: 10_000 }],
      until: 3600_000,
      keepTrace: false
    })
    scale.push(scaleRow(r, `${r.swarm.completed}/${n} complete, distribution ${r.swarm.distributionTimeMs === null ? '-' : round(r.swarm.distributionTimeMs / 1000, 1) + ' s'} virtual`))
  }

  if (scale.length > 0) {
    tables.push({
      title: 'Scale (one process, virtual time)',
      columns: ['run', 'peers', 'virtual s', 'wall s', 'events', 'events/s', 'frames', 'peak RSS MiB', 'peak heap MiB', 'outcome'],
      rows: scale
    })
  }
  return { bench: 'sim', environment: { ...environment(), cores: availableParallelism() }, tables, ratios }
}

function scaleRow (r: SimResult, outcome: string): Cell[] {
  return [r.name, r.swarm.peers, round(r.virtualTimeMs / 1000, 1), round(r.perf.wallMs / 1000, 1), r.events, Math.round(r.perf.eventsPerSecond), r.frames, mib(r.perf.peakRssBytes), mib(r.perf.peakHeapBytes), outcome + (r.errors.length > 0 ? `; errors: ${r.errors.length} (${r.errors[0].slice(0, 80)})` : '')]
}

function round (v: number, d = 1): number {
  return Number.isFinite(v) ? Number(v.toFixed(d)) : Number.NaN
}
