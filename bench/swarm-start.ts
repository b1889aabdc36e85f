/**
 * `npm run bench -- swarm-start [--json] [--memory 10,50,100] [--tcp 10,20]`
 *
 * Time and resident memory to start peers:
 * - in one process on the memory transport (each size measured in a fresh child process,
 *   so one size's garbage does not inflate the next): RSS growth per peer;
 * - as separate peer processes over TCP on 127.0.0.1 (test/fixtures/peer-process.ts, one
 *   bootstrap process plus N): the children's summed VmRSS from /proc.
 * "ready" is when every peer has at least 3 connections (the overlay formed).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { environment, type BenchReport, type Cell } from './report.ts'

const SELF = fileURLToPath(import.meta.url)
const FIXTURE = fileURLToPath(new URL('../test/fixtures/peer-process.ts', import.meta.url))
const MIN_CONNECTIONS = 3
const READY_TIMEOUT_MS = 120_000
const MB = 1024 * 1024

interface MemoryRun { peers: number, startMs: number, readyMs: number, rssBeforeMb: number, rssAfterMb: number }
interface TcpRun { peers: number, startMs: number, readyMs: number, rssTotalMb: number, bootstrapRssMb: number }

function flag (args: string[], name: string, dflt: number[]): number[] {
  const i = args.indexOf(name)
  if (i < 0 || args[i + 1] === undefined) return dflt
  return args[i + 1].split(',').map(Number).filter(n => Number.isInteger(n) && n > 0)
}

export async function run (args: string[]): Promise<BenchReport> {
  const memorySizes = flag(args, '--memory', [10, 50, 100])
  const tcpSizes = flag(args, '--tcp', [10, 20])
  const mem: MemoryRun[] = []
  for (const n of memorySizes) mem.push(await inChild(n))
  const tcp: TcpRun[] = []
  for (const n of tcpSizes) tcp.push(await processes(n))

  const memRows: Cell[][] = mem.map(r => {
    const delta = r.rssAfterMb - r.rssBeforeMb
    return [r.peers, r.startMs, r.readyMs, r.readyMs / r.peers, r.rssBeforeMb, r.rssAfterMb, delta / r.peers]
  })
  const tcpRows: Cell[][] = tcp.map(r => [r.peers, r.startMs, r.readyMs, r.readyMs / r.peers, r.rssTotalMb, r.bootstrapRssMb, (r.rssTotalMb - r.bootstrapRssMb) / r.peers])
  const ratios: Record<string, number> = {}
  const perPeer = (r: MemoryRun): number => (r.rssAfterMb - r.rssBeforeMb) / r.peers
  if (mem.length >= 2) {
    ratios['memory.perPeerMb.largest/smallest'] = perPeer(mem[mem.length - 1]) / perPeer(mem[0])
    ratios['memory.readyMsPerPeer.largest/smallest'] = (mem[mem.length - 1].readyMs / mem[mem.length - 1].peers) / (mem[0].readyMs / mem[0].peers)
  }
  if (tcp.length >= 2) {
    const a = tcp[0]; const b = tcp[tcp.length - 1]
    ratios['tcp.perProcessMb.largest/smallest'] = ((b.rssTotalMb - b.bootstrapRssMb) / b.peers) / ((a.rssTotalMb - a.bootstrapRssMb) / a.peers)
  }
  if (mem.length > 0 && tcp.length > 0) {
    const t = tcp[tcp.length - 1]
    ratios['perPeerMb.process/inProcess'] = ((t.rssTotalMb - t.bootstrapRssMb) / t.peers) / perPeer(mem[mem.length - 1])
  }
  return {
    bench: 'swarm-start',
    environment: { ...environment(), minConnections: MIN_CONNECTIONS },
    tables: [
      {
        title: 'in one process, memory transport (plus one bootstrap peer)',
        columns: ['peers', 'start ms', 'ready ms', 'ready ms/peer', 'rss before MB', 'rss after MB', 'MB/peer'],
        rows: memRows,
        note: 'start: createSwarm resolved (all listening, modules installed); ready: every peer has >= 3 connections. MB/peer = RSS growth / peers.'
      },
      {
        title: 'one process per peer, TCP on 127.0.0.1 (plus one bootstrap process)',
        columns: ['peers', 'start ms', 'ready ms', 'ready ms/peer', 'rss total MB', 'bootstrap MB', 'MB/process'],
        rows: tcpRows,
        note: 'start: every process printed "started"; ready: every peer has >= 3 connections. RSS summed from /proc/<pid>/status VmRSS.'
      }
    ],
    ratios
  }
}

/** Run one in-process size in a fresh child (this file with --child). */
async function inChild (n: number): Promise<MemoryRun> {
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, ['--expose-gc', SELF, '--child', String(n)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let buf = ''
    c.stdout.on('data', (d: Buffer) => { buf += d.toString() })
    c.on('exit', code => { code === 0 ? resolve(buf) : reject(new Error(`in-process run of ${n} peers exited ${code}`)) })
  })
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as MemoryRun
}

async function childMain (n: number): Promise<void> {
  const { createSwarm } = await import('../node/swarm.ts')
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const rssBeforeMb = process.memoryUsage().rss / MB
  const t0 = performance.now()
  const swarm = await createSwarm({ size: n, transport: 'memory', config: { node: { logLevel: 'error' } } })
  const startMs = performance.now() - t0
  await swarm.waitConnected({ minConnections: MIN_CONNECTIONS, timeoutMs: READY_TIMEOUT_MS })
  const readyMs = performance.now() - t0
  gc?.()
  const rssAfterMb = process.memoryUsage().rss / MB
  await swarm.stop()
  process.stdout.write(JSON.stringify({ peers: n, startMs: Math.round(startMs), readyMs: Math.round(readyMs), rssBeforeMb: round(rssBeforeMb), rssAfterMb: round(rssAfterMb) }) + '\n')
  process.exit(0)
}

interface Proc { pid: number, id?: string, addrs?: string[], conns: Set<string>, started: boolean, kill: () => void, exited: boolean }

/** Start a bootstrap process and `n` peer processes over TCP; wait until all have 3 connections. */
async function processes (n: number): Promise<TcpRun> {
  const dir = await mkdtemp(join(tmpdir(), 'peerhive-bench-'))
  const procs: Proc[] = []
  const start = async (name: string, bootstrap: string[]): Promise<Proc> => {
    const file = join(dir, `${name}.json`)
    await writeFile(file, JSON.stringify({
      node: { dataDir: join(dir, name), logLevel: 'error' },
      control: { enabled: false },
      net: { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 1_000, allow: ['/ip4/127.0.0.1'] }
    }))
    const c = spawn(process.execPath, [FIXTURE, file], { stdio: ['pipe', 'pipe', 'inherit'] })
    const p: Proc = { pid: c.pid ?? 0, conns: new Set(), started: false, kill: () => { c.kill('SIGTERM') }, exited: false }
    c.on('exit', () => { p.exited = true })
    let buf = ''
    c.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      let i: number
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1)
        let e: { event: string, id?: string, addrs?: string[], peer?: string }
        try { e = JSON.parse(line) } catch { continue }
        if (e.event === 'started') { p.started = true; p.id = e.id; p.addrs = e.addrs }
        if (e.event === 'connect' && e.peer !== undefined) p.conns.add(e.peer)
        if (e.event === 'disconnect' && e.peer !== undefined) p.conns.delete(e.peer)
      }
    })
    procs.push(p)
    return p
  }
  try {
    const boot = await start('bootstrap', [])
    await waitUntil(() => boot.started, 'bootstrap started')
    const t0 = performance.now()
    const peers: Proc[] = []
    for (let i = 0; i < n; i++) peers.push(await start(`peer-${i}`, boot.addrs ?? []))
    await waitUntil(() => peers.every(p => p.started), 'all processes started')
    const startMs = performance.now() - t0
    await waitUntil(() => peers.every(p => p.conns.size >= MIN_CONNECTIONS), `all ${n} peers with ${MIN_CONNECTIONS} connections`)
    const readyMs = performance.now() - t0
    const rss = await Promise.all(procs.map(async p => await vmRssMb(p.pid)))
    return { peers: n, startMs: Math.round(startMs), readyMs: Math.round(readyMs), rssTotalMb: round(rss.reduce((a, b) => a + b, 0)), bootstrapRssMb: round(rss[0]) }
  } finally {
    for (const p of procs) if (!p.exited) p.kill()
    await waitUntil(() => procs.every(p => p.exited), 'children exit', 15_000).catch(() => {
      for (const p of procs) if (!p.exited) process.kill(p.pid, 'SIGKILL')
    })
    await rm(dir, { recursive: true, force: true })
  }
}

async function vmRssMb (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

async function waitUntil (cond: () => boolean, what: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + timeoutMs
  for (let i = 0; i < timeoutMs / 25 + 1; i++) {
    if (cond()) return
    if (Date.now() > end) break
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  if (!cond()) throw new Error(`swarm-start: timed out after ${timeoutMs} ms waiting for ${what}`)
}

function round (x: number): number {
  return Math.round(x * 10) / 10
}

if (process.argv[1] === SELF && process.argv.includes('--child')) {
  await childMain(Number(process.argv[process.argv.indexOf('--child') + 1]))
}
