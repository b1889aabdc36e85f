/**
 * `npm run bench -- agreement [--n 20] [--size-mib 4] [--rate 0.25] [--profile flat|fast-seed] [--chunk-kib 256] [--seed 1]`
 *
 * Does the simulator tell the truth? One chunk-exchange swarm, the same on both sides: a
 * seed and N leechers with the same upload caps (bench/distribution.ts's profiles), the
 * same file size, chunk and block sizes, downloads uncapped. First on real TCP over
 * 127.0.0.1 (bench/distribution.ts's swarm: one libp2p host and LevelDB store per peer in
 * this process), then in the simulator on virtual time. Prints both distribution times,
 * the D_P2P bound and their ratio; target: within 25% of each other (the larger at most
 * 1.25x the smaller). 1 MB = 10^6 bytes.
 *
 * `--rate` scales the profile's caps. The default (a quarter: 250 KB/s leechers, a 4 MiB
 * file, so D_P2P stays ~17 s) keeps the one-process TCP swarm well clear of CPU limits on
 * a shared 2-core machine. Measured (load average 3-4, after 99d6346 turned libp2p's
 * connection monitor off in the swarm): default tcp/sim 1.13; `--rate 1 --size-mib 16`
 * 1.24; after the simulator's bounded send buffer (load ~1): 1.06 and 1.05. Before 99d6346,
 * and at load 10-13, TCP ran 2.6-2.9x the simulator or timed out.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_BLOCK_SIZE } from '../protocols/chunk-exchange/constants.ts'
import { simulate } from '../node/sim/simulate.ts'
import { flag, PROFILES, runSwarm, type Profile } from './distribution.ts'
import { environment, type BenchReport, type Cell } from './report.ts'

const MB = 1_000_000
const MIB = 1024 * 1024

/**
 * One-way access latency of a simulated peer: loopback is microseconds, but 21 peers
 * sharing one event loop answer in about a tenth of a millisecond at best.
 */
const AGREEMENT_ACCESS_LATENCY_MS = 0.1
/** Scale of the profile caps by default (see the header: leaves the TCP side CPU headroom). */
const AGREEMENT_DEFAULT_RATE = 0.25
/** The most the two times may differ: the issue's "within 25% of each other". */
const AGREEMENT_TARGET = 1.25

const load = (): string => loadavg().map(l => l.toFixed(2)).join(' ')

export async function run (args: string[]): Promise<BenchReport> {
  const n = Number(flag(args, 'n') ?? 20)
  const sizeMib = Number(flag(args, 'size-mib') ?? 4)
  const rate = Number(flag(args, 'rate') ?? AGREEMENT_DEFAULT_RATE)
  const chunkKib = Number(flag(args, 'chunk-kib') ?? 256)
  const seed = Number(flag(args, 'seed') ?? 1)
  const profileName = flag(args, 'profile') ?? 'flat'
  const base = PROFILES.find(p => p.name === profileName)
  if (base === undefined) throw new Error(`unknown --profile ${profileName}; one of ${PROFILES.map(p => p.name).join(', ')}`)
  if (!(rate > 0)) throw new Error(`--rate must be a positive factor, got ${String(flag(args, 'rate'))}`)
  const profile: Profile = { name: base.name, seedBps: Math.round(base.seedBps * rate), leecherBps: Math.round(base.leecherBps * rate) }
  const size = Math.round(sizeMib * MIB)
  const chunkSize = chunkKib * 1024
  const dP2P = Math.max(size / profile.seedBps, (n * size) / (profile.seedBps + n * profile.leecherBps))

  const loadBefore = load()
  const dir = await mkdtemp(join(tmpdir(), 'peerhive-bench-agreement-'))
  let tcp
  const tcpStart = performance.now()
  const tcpCpuStart = process.cpuUsage()
  try {
    tcp = await runSwarm(dir, profile, n, size, { chunkSize }, Math.max(120, 6 * dP2P))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  const tcpWall = (performance.now() - tcpStart) / 1000
  const tcpCpu = process.cpuUsage(tcpCpuStart)
  const tcpCpuS = (tcpCpu.user + tcpCpu.system) / 1e6
  const loadAfterTcp = load()
  process.stderr.write(`agreement tcp: ${tcp.measuredS?.toFixed(1) ?? 'timeout'} s (load ${loadAfterTcp})\n`)

  // The simulator twice: links shared fairly among remotes (as TCP through one bottleneck),
  // and in send order across remotes (as the host's token-bucket rate limiter serves them).
  const simRuns = []
  for (const discipline of ['fair', 'fifo'] as const) {
    const sim = await simulate({
      name: `agreement N=${n} ${discipline}`,
      seed,
      workload: 'chunks',
      file: { sizeBytes: size, chunkSize, blockSize: DEFAULT_BLOCK_SIZE },
      links: { discipline },
      peers: [
        { count: 1, role: 'seed', uploadBps: profile.seedBps, latencyMs: AGREEMENT_ACCESS_LATENCY_MS },
        { count: n, role: 'leecher', uploadBps: profile.leecherBps, latencyMs: AGREEMENT_ACCESS_LATENCY_MS }
      ],
      until: Math.max(600, 20 * dP2P) * 1000,
      keepTrace: false
    })
    const simS = sim.swarm.distributionTimeMs === null ? null : sim.swarm.distributionTimeMs / 1000
    process.stderr.write(`agreement sim (${discipline} links): ${simS?.toFixed(1) ?? 'incomplete'} s virtual (${(sim.perf.wallMs / 1000).toFixed(1)} s wall)\n`)
    simRuns.push({ discipline, sim, simS })
  }
  const sim = simRuns[0].sim
  const simS = simRuns[0].simS

  const ratio = tcp.measuredS === null || simS === null ? Number.NaN : tcp.measuredS / simS
  const spread = Math.max(ratio, 1 / ratio)
  const rows: Cell[][] = [
    ['real TCP 127.0.0.1', tcp.measuredS, dP2P, tcp.measuredS === null ? null : tcp.measuredS / dP2P, tcp.seedCopies, tcp.utilisation, `${tcp.complete}/${n}`, round(tcpWall), round(tcpCpuS), loadAfterTcp],
    ...simRuns.map(({ discipline, sim: r, simS: t }) => [
      `simulator, ${discipline} links`, t, dP2P, t === null ? null : t / dP2P,
      (r.peers.find(p => p.role === 'seed')?.bytesUp ?? 0) / size,
      r.peers.filter(p => p.role === 'leecher').reduce((a, p) => a + p.bytesUp / (profile.leecherBps * (t ?? Number.NaN)), 0) / n,
      `${r.swarm.completed}/${n}`, round(r.perf.wallMs / 1000), round(r.perf.cpuMs / 1000), load()
    ] as Cell[])
  ]
  const fifoS = simRuns[1].simS
  const fifoRatio = tcp.measuredS === null || fifoS === null ? Number.NaN : tcp.measuredS / fifoS
  return {
    bench: 'agreement',
    environment: { ...environment(), cores: availableParallelism(), loadBefore, simErrors: sim.errors.length },
    tables: [{
      title: `${n} leechers + 1 seed, ${profile.name}: seed ${profile.seedBps / MB} MB/s, leechers ${profile.leecherBps / MB} MB/s upload, downloads uncapped; F = ${sizeMib} MiB, chunks ${chunkKib} KiB, blocks ${DEFAULT_BLOCK_SIZE / 1024} KiB`,
      columns: ['run', 'distribution s', 'D_P2P s', 'time/D_P2P', 'seed copies', 'leecher upload util', 'complete', 'wall s', 'CPU s', 'load avg 1/5/15'],
      rows,
      note: `tcp/sim = ${Number.isFinite(ratio) ? ratio.toFixed(3) : '-'} (fair links; ${Number.isFinite(fifoRatio) ? fifoRatio.toFixed(3) : '-'} against fifo links); target: the larger within ${AGREEMENT_TARGET}x of the smaller. TCP: time from share to every leecher verified complete (plus a tracker-only bootstrap peer, uncapped). TCP CPU s over its wall s near ${availableParallelism()} means the swarm was CPU-bound, not network-bound. Sim seed ${seed}, access latency ${AGREEMENT_ACCESS_LATENCY_MS} ms per end.${sim.errors.length > 0 ? ` Sim errors: ${sim.errors.slice(0, 2).join('; ')}` : ''}`
    }],
    ratios: { 'agreement.tcp_over_sim': round(ratio, 3), 'agreement.spread': round(spread, 3), 'agreement.within_target': spread <= AGREEMENT_TARGET ? 1 : 0, 'agreement.tcp_over_sim_fifo': round(fifoRatio, 3) }
  }
}

function round (v: number, d = 1): number {
  return Number.isFinite(v) ? Number(v.toFixed(d)) : Number.NaN
}
