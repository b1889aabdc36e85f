import { clientServerBound, p2pBound } from './bounds.ts'
import type { SweepRow } from './report/html.ts'
import type { Scenario } from './scenario.ts'
import { simulate, type SimResult, type SimulateOptions } from './simulate.ts'
import type { Workload } from './workload.ts'

export interface ScenarioRun {
  runs: SimResult[]
  sweep?: SweepRow[]
}

/**
 * Run a scenario: once, or once per N of its sweep (the group with the sweep's role
 * resized each time), with the textbook bounds computed from the same capacities.
 */
export async function runScenario (s: Scenario, opts: { workload?: Workload, keepTrace?: boolean, onRun?: (r: SimResult) => void, onProgress?: SimulateOptions['onProgress'] } = {}): Promise<ScenarioRun> {
  const base: SimulateOptions = { ...s, workload: opts.workload ?? s.workload, keepTrace: opts.keepTrace, ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}) }
  if (s.sweep === undefined) {
    const r = await simulate(base)
    opts.onRun?.(r)
    return { runs: [r] }
  }
  const role = s.sweep.role ?? 'leecher'
  const runs: SimResult[] = []
  const sweep: SweepRow[] = []
  for (const n of s.sweep.n) {
    const peers = s.peers.map(g => (g.role ?? 'peer') === role ? { ...g, count: n } : g)
    const r = await simulate({ ...base, peers, name: `${s.name ?? s.workload} N=${n}` })
    opts.onRun?.(r)
    runs.push(r)
    sweep.push(sweepRow(r, { ...s, peers }, role, n))
  }
  return { runs, sweep }
}

export function sweepRow (r: SimResult, s: Scenario, role: string, n: number): SweepRow {
  const clients = s.peers.filter(g => (g.role ?? 'peer') === role)
  const servers = s.peers.filter(g => g.role === 'seed')
  const input = {
    fileBytes: s.file?.sizeBytes ?? 0,
    n,
    serverUploadBps: servers.reduce((a, g) => a + g.count * (g.uploadBps ?? 0), 0),
    minDownloadBps: Math.min(...clients.map(g => g.downloadBps ?? 0).map(d => d === 0 ? Number.POSITIVE_INFINITY : d)),
    sumClientUploadBps: clients.reduce((a, g) => a + g.count * (g.uploadBps ?? 0), 0)
  }
  if (!Number.isFinite(input.minDownloadBps)) input.minDownloadBps = 0
  return {
    n,
    simulatedS: r.swarm.distributionTimeMs === null || r.swarm.completed < n ? Number.NaN : r.swarm.distributionTimeMs / 1000,
    dP2PS: p2pBound(input),
    dCsS: clientServerBound(input)
  }
}
