/**
 * `npm run bench -- distribution [--size-mib 64] [--n 5,10,20] [--profile all|fast-seed|flat] [--chunk-kib 256] [--throughput-mib N] [--only two-peer|swarms] [--rounds 3] [--block-kib N] [--pipeline N] [--procs]`
 *
 * One seed and N leechers on TCP over 127.0.0.1, all in this one process (one libp2p host,
 * LevelDB store and data directory per peer; files on disk), plus a bootstrap peer that
 * runs the tracker. Every peer's upload is capped by the net adapter (`net.uploadBps`),
 * downloads are uncapped. Two profiles: seed 4 MB/s with leechers 1 MB/s, and everyone at
 * 1 MB/s (the hard case: a seed that re-sends chunks the swarm has wastes the bound).
 * Per N it prints the measured time until every leecher has the whole verified file, the
 * lower bound D_P2P = max{F/u_s, F/d_min, N F/(u_s + sum u_i)} (d_min is unbounded here),
 * the client-server time D_cs = max{N F/u_s, F/d_min}, their ratio, how many copies of the
 * file the seed uploaded, the seed's and the leechers' mean upload utilisation, and the process
 * CPU seconds per wall second with the load average (a CPU-starved run measures the machine). Then two peers,
 * uncapped: our transfer's throughput next to a plain libp2p stream's between the same
 * two hosts, `--rounds` times back to back (the ratio is the median of the rounds'), with
 * the CPU each took; and, between the two, a "verified plain" stream that does the work
 * any integrity-checked, persisted transfer must do (the sender reads the file and hashes
 * each chunk, the receiver assembles, hashes and writes each chunk, then fsyncs) with no
 * protocol at all: ours against it is our protocol's own overhead. Then the same two
 * legs (plain, ours) with the receiver in its own process (lib/two-peer-procs.ts), as real
 * peers run. 1 MB = 10^6 bytes.
 *
 * `--procs` runs the swarms with every peer (tracker, seed, each leecher) in its own Node
 * process (bench/_dist-peer.ts), so no event loop carries more than one peer's traffic; CPU
 * s/s is then summed over the children.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPeer, type RuntimePeer } from '../node/peer.ts'
import type { ChunksApi } from '../protocols/chunk-exchange/api.ts'
import type { DistPeerSpec } from './_dist-peer.ts'
import { PLAIN_PROTOCOL, peerConfig, sendPlain, writeRandomFile } from './lib/dist-peers.ts'
import { PeerProc, type PeerLine } from './lib/peer-proc.ts'
import { environment, type BenchReport, type Cell } from './report.ts'
import { TWO_PEER_PROCS_NOTE, TWO_PEER_PROCS_TITLE, twoPeerProcs } from './lib/two-peer-procs.ts'
import { twoPeerRatios, twoPeerTable, type Leg, type TwoPeerRound } from './lib/two-peer-table.ts'
import { VERIFIED_PROTOCOL, sendVerified, verifiedSink } from './lib/verified-stream.ts'

const MB = 1_000_000
const MIB = 1024 * 1024

export interface Profile { name: string, seedBps: number, leecherBps: number }
export const PROFILES: Profile[] = [
  { name: 'fast-seed', seedBps: 4 * MB, leecherBps: 1 * MB },
  { name: 'flat', seedBps: 1 * MB, leecherBps: 1 * MB }
]

export function flag (args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`)
  if (i >= 0) return args[i + 1]
  const eq = args.find(a => a.startsWith(`--${name}=`))
  return eq?.slice(name.length + 3)
}

const chunksOf = (p: RuntimePeer): ChunksApi => p.services.get<ChunksApi>('chunks') as ChunksApi

async function sha256File (path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

export interface RunResult {
  measuredS: number | null
  seedCopies: number
  /** Copies the seed had uploaded when every chunk first reached a leecher (super-seeding's cost); null if that never happened. */
  seedSpreadCopies: number | null
  utilisation: number
  complete: number
  /** The seed's upload over its capacity for the whole run: idle seed time is what super-seeding must not cost. */
  seedUtilisation: number
  /** Process CPU seconds per wall second during the run: near or above the cores this process gets, the run is CPU-bound, not policy-bound. */
  cpuPerWall: number
  /** 1-minute load average at the end of the run (the machine is shared). */
  load: number
}

/** One swarm run's figures from its raw counters (both modes). `util` sums the leechers' own utilisations. */
function runResult (r: { measuredS: number | null, seedUp: number, seedSpread: number | undefined, size: number, util: number, n: number, complete: number, profile: Profile, elapsed: number, cpuS: number }): RunResult {
  return {
    measuredS: r.measuredS,
    seedCopies: r.seedUp / r.size,
    seedSpreadCopies: r.seedSpread === undefined ? null : r.seedSpread / r.size,
    utilisation: r.util / r.n,
    complete: r.complete,
    seedUtilisation: r.seedUp / (r.profile.seedBps * r.elapsed),
    cpuPerWall: r.cpuS / r.elapsed,
    load: loadavg()[0]
  }
}

export async function runSwarm (dir: string, profile: Profile, n: number, size: number, chunks: Record<string, unknown>, timeoutS: number): Promise<RunResult> {
  const peers: RuntimePeer[] = []
  try {
    const boot = await createPeer(peerConfig(dir, 'bootstrap', 0, [], chunks, true))
    peers.push(boot)
    const entry = boot.multiaddrs()
    const seed = await createPeer(peerConfig(dir, 'seed', profile.seedBps, entry, chunks))
    peers.push(seed)
    const leechers: RuntimePeer[] = []
    for (let i = 0; i < n; i++) {
      const p = await createPeer(peerConfig(dir, `leecher-${i}`, profile.leecherBps, entry, chunks))
      peers.push(p)
      leechers.push(p)
    }
    // Wait for every peer to reach the bootstrap (tracker) before the clock starts.
    for (let i = 0; i < 400 && peers.slice(1).some(p => p.libp2p.getPeers().length === 0); i++) await new Promise(resolve => setTimeout(resolve, 25))
    const src = join(dir, 'source.bin')
    const sha = await writeRandomFile(src, size)
    const shared = await chunksOf(seed).share(src)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const handles = await Promise.all(leechers.map(async (p, i) => await chunksOf(p).get(shared.link, { out: join(dir, `out-${i}.bin`), seed: true })))
    const trace = process.env.BENCH_TRACE === '1'
      ? setInterval(() => {
        void chunksOf(seed).status().then(st => {
          const t = st.transfers[0]
          process.stderr.write(`  t=${((performance.now() - t0) / 1000).toFixed(0)}s seed up ${(t.upRate / MB).toFixed(2)} MB/s peers ${t.peers} in flight ${st.uploads.inFlight}/${st.uploads.budget}\n`)
        })
      }, 5000)
      : undefined
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>(resolve => { timer = setTimeout(() => resolve('timeout'), timeoutS * 1000) })
    const done = await Promise.race([Promise.all(handles.map(async h => await h.done)), timeout])
    clearTimeout(timer)
    clearInterval(trace)
    const measuredS = done === 'timeout' ? null : (performance.now() - t0) / 1000
    const elapsed = (performance.now() - t0) / 1000
    const seedSt = (await chunksOf(seed).status()).transfers.find(t => t.link === shared.link)
    const seedUp = seedSt?.uploaded ?? 0
    let util = 0
    let complete = 0
    for (let i = 0; i < n; i++) {
      const st = (await chunksOf(leechers[i]).status()).transfers.find(t => t.link === shared.link)
      util += (st?.uploaded ?? 0) / (profile.leecherBps * elapsed)
      if (st !== undefined && st.chunksHave === st.chunks) complete++
    }
    if (done !== 'timeout') {
      const check = await sha256File(join(dir, `out-${n - 1}.bin`))
      if (check !== sha) throw new Error(`leecher ${n - 1}'s file differs from the original`)
    }
    const cpu = process.cpuUsage(c0)
    return runResult({ measuredS, seedUp, seedSpread: seedSt?.uploadedToSpread, size, util, n, complete, profile, elapsed, cpuS: (cpu.user + cpu.system) / 1e6 })
  } finally {
    await Promise.all(peers.map(async p => { await p.stop() }))
  }
}

const DIST_PEER = new URL('./_dist-peer.ts', import.meta.url).pathname
/** How long a child may take to start, reach the tracker (and, for the seed, hash the file) and say ready. */
const PEER_READY_TIMEOUT_MS = 60_000
/** How long a child may take to answer a status request once the run is over. */
const PEER_STATUS_TIMEOUT_MS = 15_000
/**
 * `runSwarm` with every peer in its own process (bench/_dist-peer.ts): tracker, seed, then
 * all leechers at once; the clock runs from 'go' until every leecher reported done, then the
 * parent checks every output file's SHA-256 and asks each child for its upload byte count
 * and CPU. Every child is killed at the end, on error and on timeout.
 */
export async function runSwarmProcs (dir: string, profile: Profile, n: number, size: number, chunks: Record<string, unknown>, timeoutS: number): Promise<RunResult> {
  const procs: PeerProc[] = []
  const start = (spec: DistPeerSpec): PeerProc => { const p = new PeerProc(spec.name, DIST_PEER, JSON.stringify(spec)); procs.push(p); return p }
  try {
    const src = join(dir, 'source.bin')
    await mkdir(dir, { recursive: true })
    const sha = await writeRandomFile(src, size)
    const tracker = start({ role: 'tracker', dir, name: 'bootstrap', uploadBps: 0, bootstrap: [], chunks })
    const entry = (await tracker.next('ready', PEER_READY_TIMEOUT_MS)).multiaddrs?.filter(a => a.includes('/127.0.0.1/')) ?? []
    if (entry.length === 0) throw new Error('the tracker process reported no 127.0.0.1 address')
    const seed = start({ role: 'seed', dir, name: 'seed', uploadBps: profile.seedBps, bootstrap: entry, chunks, src })
    const link = (await seed.next('ready', PEER_READY_TIMEOUT_MS)).link
    if (link === undefined) throw new Error('the seed process reported no link')
    const leechers: PeerProc[] = []
    for (let i = 0; i < n; i++) {
      leechers.push(start({ role: 'leecher', dir, name: `leecher-${i}`, uploadBps: profile.leecherBps, bootstrap: entry, chunks, link, out: join(dir, `out-${i}.bin`) }))
    }
    await Promise.all(leechers.map(async l => await l.next('ready', PEER_READY_TIMEOUT_MS)))
    for (const p of procs) p.send('go')
    const t0 = performance.now()
    let measuredS: number | null = null
    try {
      await Promise.all(leechers.map(async l => await l.next('done', timeoutS * 1000)))
      measuredS = (performance.now() - t0) / 1000
    } catch (err) {
      // A timeout is a result (the table shows it); a child that failed or died is not.
      if (!/no 'done' within/.test((err as Error).message)) throw err
    }
    const elapsed = (performance.now() - t0) / 1000
    const status = async (p: PeerProc): Promise<PeerLine> => { p.send('status'); return await p.next('status', PEER_STATUS_TIMEOUT_MS) }
    const [trackerSt, seedSt, ...leecherSt] = await Promise.all(procs.map(status))
    let util = 0
    let complete = 0
    for (const st of leecherSt) {
      util += (st.uploaded ?? 0) / (profile.leecherBps * elapsed)
      if ((st.of ?? 0) > 0 && st.have === st.of) complete++
    }
    if (measuredS !== null) {
      for (let i = 0; i < n; i++) {
        if (await sha256File(join(dir, `out-${i}.bin`)) !== sha) throw new Error(`leecher ${i}'s file differs from the original`)
      }
    }
    const all = [trackerSt, seedSt, ...leecherSt]
    const uncaught = all.reduce((s, st) => s + (st.uncaught ?? 0), 0)
    if (uncaught > 0) process.stderr.write(`distribution --procs: ${uncaught} uncaught libp2p exceptions in the children\n`)
    const cpuS = all.reduce((s, st) => s + (st.cpuS ?? 0), 0)
    return runResult({ measuredS, seedUp: seedSt.uploaded ?? 0, seedSpread: seedSt.uploadedToSpread, size, util, n, complete, profile, elapsed, cpuS })
  } finally {
    await Promise.all(procs.map(async p => { await p.kill() }))
  }
}

/** Process CPU (all threads) since `c0`, in ms: both peers of the in-process rounds run here. */
function cpuMsSince (c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / 1000
}

type Arrival = { next?: (t: number) => void }
type StreamOf = Awaited<ReturnType<RuntimePeer['libp2p']['dialProtocol']>>

/**
 * One timed leg over a fresh stream of `protocol` from a to b: `write` sends `size` bytes,
 * the clock and CPU run until b's handler reports them all arrived (through `arrived`).
 */
async function timedLeg (a: RuntimePeer, b: RuntimePeer, protocol: string, size: number, arrived: Arrival, write: (stream: StreamOf) => Promise<void>): Promise<Leg> {
  const { promise: received, resolve } = Promise.withResolvers<number>()
  arrived.next = resolve
  const stream = await a.libp2p.dialProtocol(b.libp2p.peerId, protocol)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await write(stream)
  const t1 = await received
  const cpuMs = cpuMsSince(c0)
  await stream.close().catch(() => {})
  return { bps: size / ((t1 - t0) / 1000), cpuMs }
}

/** `size` bytes over one fresh plain libp2p stream from a to b, timed until b has them all. */
async function plainLeg (a: RuntimePeer, b: RuntimePeer, size: number, arrived: Arrival): Promise<Leg> {
  return await timedLeg(a, b, PLAIN_PROTOCOL, size, arrived, async (stream) => { await sendPlain(stream, size) })
}

/**
 * The floor under any verified, persisted transfer of `src` (lib/verified-stream.ts): a
 * reads, hashes and sends it a chunk at a time; b assembles, hashes and writes each chunk
 * and fsyncs. Timed until b's file is synced.
 */
async function verifiedLeg (a: RuntimePeer, b: RuntimePeer, src: string, size: number, chunkSize: number, arrived: Arrival): Promise<Leg> {
  return await timedLeg(a, b, VERIFIED_PROTOCOL, size, arrived, async (stream) => { await sendVerified(stream, src, size, chunkSize) })
}

/** The round's file shared by a and fetched by b with the chunk exchange, timed until verified on b's disk. */
async function oursLeg (a: RuntimePeer, b: RuntimePeer, dir: string, round: number, size: number): Promise<Leg> {
  const src = join(dir, `tp-source-${round}.bin`)
  const shared = await chunksOf(a).share(src)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const h = await chunksOf(b).get(shared.link, { out: join(dir, `tp-out-${round}.bin`) })
  await h.done
  const bps = size / ((performance.now() - t0) / 1000)
  return { bps, cpuMs: cpuMsSince(c0) }
}

const TWO_PEER_TITLE = (mib: number): string => `two peers, uncapped, ${mib} MiB over TCP 127.0.0.1 (both in this process: they share one event loop)`

const TWO_PEER_NOTE = 'Rates are wall-clock, the three legs back to back in each round. plain: one libp2p stream, bytes only. verified plain: the same stream plus the work every checked, persisted transfer does (sender: read and hash each chunk; receiver: assemble, hash, write each chunk, fsync), no protocol. ours/verified is our protocol\'s own cost. CPU: process CPU (all threads) per MiB moved.'

/**
 * Two peers in this process, uncapped, `rounds` times: a plain libp2p stream, then our
 * transfer of a fresh file, back to back so each pair sees the same machine load (this
 * machine is shared: single runs vary by 2x). Each round's ratio pairs its own two legs.
 */
async function twoPeer (dir: string, size: number, chunks: Record<string, unknown>, chunkSize: number, rounds: number): Promise<TwoPeerRound[]> {
  const a = await createPeer(peerConfig(dir, 'tp-a', 0, [], chunks))
  const b = await createPeer(peerConfig(dir, 'tp-b', 0, a.multiaddrs(), chunks))
  try {
    for (let i = 0; i < 400 && b.libp2p.getPeers().length === 0; i++) await new Promise(resolve => setTimeout(resolve, 25))
    const arrived: Arrival = {}
    await b.libp2p.handle(PLAIN_PROTOCOL, async (stream) => {
      let got = 0
      for await (const chunk of stream) {
        got += chunk.byteLength
        if (got >= size) { arrived.next?.(performance.now()); break }
      }
      await stream.close().catch(() => {})
    })
    let verifiedOut = ''
    await b.libp2p.handle(VERIFIED_PROTOCOL, async (stream) => {
      await verifiedSink(stream, verifiedOut, size, chunkSize)
      arrived.next?.(performance.now())
      await stream.close().catch(() => {})
    })
    const out: TwoPeerRound[] = []
    for (let r = 0; r < rounds; r++) {
      const load = loadavg()[0]
      const src = join(dir, `tp-source-${r}.bin`)
      await writeRandomFile(src, size)
      const plain = await plainLeg(a, b, size, arrived)
      verifiedOut = join(dir, `tp-verified-${r}.bin`)
      const verified = await verifiedLeg(a, b, src, size, chunkSize, arrived)
      const ours = await oursLeg(a, b, dir, r, size)
      out.push({ plain, verified, ours, load })
      process.stderr.write(`distribution two-peer round ${r + 1}/${rounds}: plain ${(plain.bps / MB).toFixed(1)} MB/s, verified plain ${(verified.bps / MB).toFixed(1)} MB/s, ours ${(ours.bps / MB).toFixed(1)} MB/s, load ${load.toFixed(2)}\n`)
      await rm(src, { force: true })
      await rm(verifiedOut, { force: true })
      await rm(join(dir, `tp-out-${r}.bin`), { force: true })
    }
    return out
  } finally {
    await a.stop()
    await b.stop()
  }
}

export async function run (args: string[]): Promise<BenchReport> {
  const sizeMib = Number(flag(args, 'size-mib') ?? 64)
  const ns = (flag(args, 'n') ?? '5,10,20').split(',').map(Number)
  const which = flag(args, 'profile') ?? 'all'
  const chunkKib = Number(flag(args, 'chunk-kib') ?? 256)
  const tpMib = Number(flag(args, 'throughput-mib') ?? sizeMib)
  const rounds = Math.max(1, Number(flag(args, 'rounds') ?? 3))
  const size = Math.round(sizeMib * MIB)
  const chunks: Record<string, unknown> = { chunkSize: chunkKib * 1024 }
  const blockKib = flag(args, 'block-kib')
  if (blockKib !== undefined) chunks.blockSize = Number(blockKib) * 1024
  const pipeline = flag(args, 'pipeline')
  if (pipeline !== undefined) chunks.pipelineDepth = Number(pipeline)
  // `--only two-peer` skips the swarms: a quick harness for profiling the uncapped transfer.
  const onlyTwoPeer = flag(args, 'only') === 'two-peer'
  // `--only swarms` skips the two-peer rounds: a quicker loop on the distribution policies.
  const onlySwarms = flag(args, 'only') === 'swarms'
  const procs = args.includes('--procs')
  const swarm = procs ? runSwarmProcs : runSwarm
  const profiles = onlyTwoPeer ? [] : PROFILES.filter(p => which === 'all' || p.name === which)
  const dir = await mkdtemp(join(tmpdir(), 'peerhive-bench-dist-'))
  const tables: BenchReport['tables'] = []
  const ratios: Record<string, number> = {}
  try {
    for (const profile of profiles) {
      const rows: Cell[][] = []
      for (const n of ns) {
        const uS = profile.seedBps
        const dP2P = Math.max(size / uS, (n * size) / (uS + n * profile.leecherBps))
        const dCs = (n * size) / uS
        const runDir = join(dir, `${profile.name}-${n}`)
        const r = await swarm(runDir, profile, n, size, chunks, Math.max(120, 4 * dP2P))
        await rm(runDir, { recursive: true, force: true })
        const ratio = r.measuredS === null ? null : r.measuredS / dP2P
        rows.push([n, r.measuredS, dP2P, dCs, ratio, r.seedCopies, r.seedSpreadCopies, r.seedUtilisation, r.utilisation, `${r.complete}/${n}`, r.cpuPerWall, r.load])
        if (ratio !== null) ratios[`distribution.${profile.name}.n${n}.ratio`] = ratio
        process.stderr.write(`distribution ${profile.name} n=${n}: ${r.measuredS?.toFixed(1) ?? 'timeout'} s (D_P2P ${dP2P.toFixed(1)} s)\n`)
      }
      tables.push({
        title: `${procs ? 'procs, ' : ''}${profile.name}: seed ${profile.seedBps / MB} MB/s, leechers ${profile.leecherBps / MB} MB/s upload, F = ${sizeMib} MiB, chunks ${chunkKib} KiB`,
        columns: ['N', 'measured s', 'D_P2P s', 'D_cs s', 'measured/D_P2P', 'seed copies', 'seed copies to spread', 'seed upload util', 'leecher upload util', 'complete', 'CPU s/s', 'load 1 min'],
        rows,
        note: procs
          ? `Every peer in its own process (--procs); CPU s/s is summed over the N + 2 children (tracker, seed, leechers) (${availableParallelism()} cores on this machine, shared: see the load).`
          : `All peers share this one process's event loop: CPU s/s near the cores it gets (${availableParallelism()} on this machine, fewer under the load shown) means the run measured the CPU, not the policies.`
      })
    }
    if (!onlySwarms) {
      const tp = await twoPeer(join(dir, 'two-peer'), Math.round(tpMib * MIB), chunks, chunkKib * 1024, rounds)
      tables.push(twoPeerTable(tp, tpMib, TWO_PEER_TITLE(tpMib), TWO_PEER_NOTE))
      Object.assign(ratios, twoPeerRatios('distribution.two-peer', tp))
      const tpp = await twoPeerProcs(join(dir, 'two-peer-procs'), Math.round(tpMib * MIB), chunks, chunkKib * 1024, rounds)
      tables.push(twoPeerTable(tpp, tpMib, TWO_PEER_PROCS_TITLE(tpMib), TWO_PEER_PROCS_NOTE))
      Object.assign(ratios, twoPeerRatios('distribution.two-peer.procs', tpp))
    }
    const all = Object.entries(ratios).filter(([k]) => k.endsWith('.ratio')).map(([, v]) => v)
    if (all.length > 0) ratios['distribution.ratio.max'] = Math.max(...all)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return {
    bench: 'distribution',
    environment: { ...environment(), process: procs ? 'swarms: one process per peer (tracker, seed, each leecher)' : 'one process, one libp2p host + LevelDB per peer', sizeMib, chunkKib },
    tables,
    ratios
  }
}
