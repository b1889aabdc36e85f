import type { LogLevel, LogSink } from '../ports/logger.ts'
import type { PeerKey } from '../ports/net.ts'
import { SeededRandom } from '../ports/random.ts'
import { VirtualClock } from '../ports/virtual-clock.ts'
import type { ChurnEvent, PeerGroup, PeerRole, Scenario } from './scenario.ts'
import { SimNetwork } from './sim-network.ts'
import { SimPeer } from './sim-peer.ts'
import { Trace, type TraceEvent } from './trace.ts'
import type { PeerRecord, RunContext, Sample, Workload } from './workload.ts'
import { resolveWorkload } from './workloads/registry.ts'
import { mergeConfig } from './merge-config.ts'

/** Default one-way access latency of a peer (a link's latency is the sum of both ends'). */
export const SIM_DEFAULT_ACCESS_LATENCY_MS = 5
/** Safety bound on clock events in one run. */
export const SIM_DEFAULT_MAX_EVENTS = 50_000_000
/**
 * Peers a joining peer dials on start, picked at random among those already running (its
 * bootstrap list, as `net.bootstrap` on a real peer): enough for every overlay to form
 * without a hub holding thousands of connections.
 */
export const SIM_DEFAULT_BOOTSTRAP_PEERS = 3
/** Time-series samples per run when the scenario does not say. */
export const SIM_DEFAULT_SAMPLES = 200
/**
 * Peak memory is read every 2^16 clock events as well as at each sample: a run that
 * finishes long before `until` takes few samples, and its peak must not go unseen.
 * Reading it costs a syscall, negligible at that spacing.
 */
const SIM_MEMORY_PROBE_MASK = 0xffff
/** Clock events between two `onProgress` calls. */
export const SIM_PROGRESS_EVENTS = 1 << 18

export interface SimulateOptions extends Omit<Scenario, 'workload'> {
  workload: string | Workload
  /** Peers each joiner dials on start (default SIM_DEFAULT_BOOTSTRAP_PEERS). */
  bootstrapPeers?: number
  /** Where the peers' log lines go (default: nowhere), and from which level. */
  logSink?: LogSink
  logLevel?: LogLevel
  /** Keep the full event list in the result (default true; large runs may turn it off). */
  keepTrace?: boolean
  /** Called every SIM_PROGRESS_EVENTS clock events (long runs show they move); not part of the trace. */
  onProgress?: (p: SimProgress) => void
}

/** Where a running simulation is. */
export interface SimProgress { virtualMs: number, events: number, completed: number, joined: number, wallMs: number, cpuMs: number, rssBytes: number }

export interface PeerMetrics {
  id: string
  role: PeerRole
  uploadBps: number
  downloadBps: number
  joinAt: number
  completedAt: number | null
  bytesUp: number
  bytesDown: number
  state: string
  figures: Record<string, number>
}

export interface SimResult {
  name: string
  seed: number | string
  workload: string
  /** SHA-256 over the trace (every scenario event and every frame): equal seeds, equal hash. */
  hash: string
  virtualTimeMs: number
  events: number
  frames: number
  bytes: number
  lostFrames: number
  peers: PeerMetrics[]
  swarm: {
    peers: number
    completed: number
    /** Completion time after joining, over peers that had a goal (ms). */
    completionMs: { min: number, mean: number, p50: number, p90: number, max: number } | null
    /** Time from the first join until the last goal reached (ms): the distribution time. */
    distributionTimeMs: number | null
  }
  series: Sample[]
  summary: Record<string, unknown>
  trace: TraceEvent[]
  errors: string[]
  /**
   * Wall-clock figures: not part of the hash. `cpuMs` is this process's CPU time over the
   * run (user + system): on a shared machine it is the steadier figure, and
   * `eventsPerCpuSecond` the simulator's speed with the neighbours' load taken out.
   */
  perf: { wallMs: number, cpuMs: number, eventsPerSecond: number, eventsPerCpuSecond: number, peakRssBytes: number, peakHeapBytes: number }
}

/**
 * Run a scenario on virtual time. Everything random comes from `seed`; everything timed
 * from one VirtualClock that jumps from event to event; the protocol actors are the real
 * modules. Returns per-peer and swarm metrics, time series and the trace with its hash.
 */
export async function simulate (opts: SimulateOptions): Promise<SimResult> {
  const wallStart = performance.now()
  const cpuStart = process.cpuUsage()
  const workload = typeof opts.workload === 'string' ? await resolveWorkload(opts.workload) : opts.workload
  const clock = new VirtualClock()
  const root = new SeededRandom(opts.seed)
  const trace = new Trace({ keepEvents: opts.keepTrace ?? true })
  const latency = new Map<string, number>()
  const net = new SimNetwork({
    clock,
    random: root.fork('net'),
    lossRate: opts.links?.lossRate ?? 0,
    discipline: opts.links?.discipline ?? 'fair',
    latencyMs: (a, b) => (latency.get(a) ?? SIM_DEFAULT_ACCESS_LATENCY_MS) + (latency.get(b) ?? SIM_DEFAULT_ACCESS_LATENCY_MS),
    onDeliver: (from, to, protocol, bytes) => { trace.frame(clock.now(), from, to, protocol, bytes) }
  })
  const peerRandom = root.fork('peers')
  const churnRandom = root.fork('churn')
  const errors: string[] = []
  const peers = new Map<string, PeerRecord>()
  const order: PeerRecord[] = []
  let peakRss = 0
  let peakHeap = 0

  const run: RunContext = {
    scenario: { ...opts, workload: workload.name },
    clock,
    net,
    trace,
    random: root.fork('workload'),
    peers,
    running: () => order.filter(r => r.peer?.state === 'running'),
    complete: (id, detail) => {
      const r = peers.get(id)
      if (r === undefined || r.completedAt !== undefined) return
      r.completedAt = clock.now()
      trace.event({ t: clock.now(), kind: 'complete', peer: id, ...(detail !== undefined ? { detail } : {}) })
    },
    note: (kind, peer, detail) => {
      trace.event({ t: clock.now(), kind, ...(peer !== undefined ? { peer } : {}), ...(detail !== undefined ? { detail } : {}) })
    }
  }

  // Peers: one record per peer, named by role and index so traces read plainly.
  let index = 0
  for (const g of opts.peers) {
    const role = g.role ?? 'peer'
    for (let i = 0; i < g.count; i++) {
      const id = `${role}-${index++}`
      const joinAt = (g.joinAt ?? 0) + (g.count > 1 ? Math.floor(((g.joinSpreadMs ?? 0) * i) / (g.count - 1)) : 0)
      const rec: PeerRecord = { id, role, group: g, joinAt, figures: {} }
      peers.set(id, rec)
      order.push(rec)
      latency.set(id, g.latencyMs ?? SIM_DEFAULT_ACCESS_LATENCY_MS)
    }
  }
  let joined = 0
  /** Ids of peers that have joined (bootstrap candidates; crashed ones simply refuse). */
  const live: string[] = []
  const bootRandom = root.fork('bootstrap')
  const fail = (what: string, err: unknown): void => {
    const msg = `${what}: ${err instanceof Error ? err.message : String(err)}`
    errors.push(msg)
    trace.event({ t: clock.now(), kind: 'error', detail: { message: msg.slice(0, 200) } })
  }

  await workload.setup?.(run)

  const startPeer = async (rec: PeerRecord): Promise<void> => {
    try {
      const g = rec.group
      const config = mergeConfig(opts.config, g.config, workload.config?.(rec, run))
      if (rec.peer === undefined) {
        rec.peer = await SimPeer.start({
          net,
          key: rec.id,
          random: peerRandom.fork(rec.id),
          config,
          modules: workload.modules(),
          uploadBps: g.uploadBps ?? 0,
          downloadBps: g.downloadBps ?? 0,
          behindNat: g.nat ?? false,
          ...(opts.logSink !== undefined ? { logSink: opts.logSink, logLevel: opts.logLevel ?? 'info' } : {})
        })
        joined++
        trace.event({ t: clock.now(), kind: 'join', peer: rec.id })
        const others = live.slice()
        for (let i = 0; i < Math.min(opts.bootstrapPeers ?? SIM_DEFAULT_BOOTSTRAP_PEERS, others.length); i++) {
          const j = i + bootRandom.int(others.length - i)
          ;[others[i], others[j]] = [others[j], others[i]]
          net.connect(rec.id as PeerKey, others[i] as PeerKey)
        }
        live.push(rec.id)
      } else {
        await rec.peer.restart()
        trace.event({ t: clock.now(), kind: 'restart', peer: rec.id })
      }
      await workload.onStart(rec, run)
    } catch (err) {
      fail(`starting ${rec.id}`, err)
    }
  }

  for (const rec of order) clock.setTimer(rec.joinAt, () => { void startPeer(rec) })

  const pick = (ev: ChurnEvent, states: string[]): PeerRecord[] => {
    if (ev.peers !== undefined) return ev.peers.map(id => peers.get(id)).filter((r): r is PeerRecord => r !== undefined)
    const pool = order.filter(r => r.peer !== undefined && states.includes(r.peer.state) && (ev.role === undefined || r.role === ev.role))
    return churnRandom.shuffle([...pool]).slice(0, ev.count ?? 1)
  }
  const applyChurn = async (ev: ChurnEvent): Promise<void> => {
    switch (ev.action) {
      case 'crash':
        for (const r of pick(ev, ['running'])) { r.peer?.crash(); trace.event({ t: clock.now(), kind: 'crash', peer: r.id }) }
        break
      case 'stop':
        for (const r of pick(ev, ['running'])) { await r.peer?.stop(); trace.event({ t: clock.now(), kind: 'stop', peer: r.id }) }
        break
      case 'restart':
        for (const r of pick(ev, ['crashed', 'stopped'])) await startPeer(r)
        break
      case 'cut':
        for (const r of pick(ev, ['running'])) { r.peer?.host.cutOff(); trace.event({ t: clock.now(), kind: 'cut', peer: r.id }) }
        break
      case 'reconnect':
        for (const r of order.filter(r => r.peer?.host.isolated === true && (ev.peers === undefined || ev.peers.includes(r.id)))) {
          r.peer?.host.reconnect()
          trace.event({ t: clock.now(), kind: 'reconnect', peer: r.id })
          await workload.onStart(r, run)
        }
        break
      case 'partition': {
        const groups = Math.max(2, ev.groups ?? 2)
        const of = new Map<string, number>()
        for (const r of order) of.set(r.id, churnRandom.int(groups))
        net.setPartition((k: PeerKey) => of.get(k) ?? 0)
        trace.event({ t: clock.now(), kind: 'partition', detail: { groups } })
        break
      }
      case 'heal':
        net.setPartition(undefined)
        trace.event({ t: clock.now(), kind: 'heal' })
        break
    }
  }
  for (const ev of opts.churn ?? []) clock.setTimer(ev.at, () => { applyChurn(ev).catch(err => { fail(`churn ${ev.action}@${ev.at}`, err) }) })

  const series: Sample[] = []
  const sampleEvery = opts.sampleEveryMs ?? Math.max(1, opts.until / SIM_DEFAULT_SAMPLES)
  const probeMemory = (): void => {
    const mem = process.memoryUsage()
    peakRss = Math.max(peakRss, mem.rss)
    peakHeap = Math.max(peakHeap, mem.heapUsed)
  }
  /** A sample at virtual time `t`: the state between the last event before `t` and the next. */
  const takeSample = (t: number): void => {
    probeMemory()
    const done = order.filter(r => r.completedAt !== undefined).length
    series.push({ t, running: run.running().length, completed: done, ...(workload.sample?.(run) ?? {}) })
  }

  // Samples are read between clock events, never scheduled as events themselves: a sampler
  // timer would count as an event, take a sequence number and a settle turn of its own, so
  // two runs of one seed with different `until` (hence sampling periods) would differ.
  // Nothing the sampler does can reorder what the protocols do.
  const maxEvents = opts.maxEvents ?? SIM_DEFAULT_MAX_EVENTS
  let events = 0
  let nextSample = 0
  while (events < maxEvents) {
    if (joined === order.length && workload.done(run)) break
    const at = clock.nextAt()
    if (at === undefined || at > opts.until) break
    for (; nextSample < at && nextSample <= opts.until; nextSample += sampleEvery) takeSample(nextSample)
    await clock.step()
    events++
    if ((events & SIM_MEMORY_PROBE_MASK) === 0) probeMemory()
    if (opts.onProgress !== undefined && events % SIM_PROGRESS_EVENTS === 0) {
      opts.onProgress({ virtualMs: clock.now(), events, completed: order.filter(r => r.completedAt !== undefined).length, joined, wallMs: performance.now() - wallStart, cpuMs: cpuSince(cpuStart), rssBytes: peakRss })
    }
  }
  if (events >= maxEvents) fail('run', new Error(`stopped after maxEvents=${maxEvents} clock events`))
  takeSample(clock.now())
  const end = clock.now()

  const metrics: PeerMetrics[] = order.map(r => {
    const h = net.host(r.id as PeerKey)
    return {
      id: r.id,
      role: r.role,
      uploadBps: r.group.uploadBps ?? 0,
      downloadBps: r.group.downloadBps ?? 0,
      joinAt: r.joinAt,
      completedAt: r.completedAt ?? null,
      bytesUp: h?.bytesUp ?? 0,
      bytesDown: h?.bytesDown ?? 0,
      state: r.peer?.state ?? 'not-started',
      figures: r.figures
    }
  })
  const times = order.filter(r => r.completedAt !== undefined).map(r => (r.completedAt as number) - r.joinAt).sort((a, b) => a - b)
  const firstJoin = order.reduce((m, r) => Math.min(m, r.joinAt), Number.POSITIVE_INFINITY)
  const lastDone = order.reduce((m, r) => r.completedAt === undefined ? m : Math.max(m, r.completedAt), Number.NEGATIVE_INFINITY)
  const summary = workload.summary?.(run) ?? {}
  const swarm: SimResult['swarm'] = {
    peers: order.length,
    completed: times.length,
    completionMs: times.length === 0
      ? null
      : { min: times[0], mean: times.reduce((a, b) => a + b, 0) / times.length, p50: quantile(times, 0.5), p90: quantile(times, 0.9), max: times[times.length - 1] },
    distributionTimeMs: times.length === 0 ? null : lastDone - firstJoin
  }
  const hash = trace.hash({ end, events, frames: net.frames, bytes: net.bytes, lost: net.lost, metrics, swarm, summary, errors })
  // Freeze the run: no connection closes with an event, every peer's timers die.
  net.halt()
  for (const r of order) if (r.peer?.state === 'running') r.peer.crash()
  const wallMs = performance.now() - wallStart
  const cpuMs = cpuSince(cpuStart)
  return {
    name: opts.name ?? workload.name,
    seed: opts.seed,
    workload: workload.name,
    hash,
    virtualTimeMs: end,
    events,
    frames: net.frames,
    bytes: net.bytes,
    lostFrames: net.lost,
    peers: metrics,
    swarm,
    series,
    summary,
    trace: trace.events,
    errors,
    perf: { wallMs, cpuMs, eventsPerSecond: events / Math.max(wallMs / 1000, 1e-9), eventsPerCpuSecond: events / Math.max(cpuMs / 1000, 1e-9), peakRssBytes: peakRss, peakHeapBytes: peakHeap }
  }
}

function cpuSince (start: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(start)
  return (c.user + c.system) / 1000
}

export function quantile (sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]
}

export type { PeerGroup }
