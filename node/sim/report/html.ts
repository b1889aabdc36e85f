import type { SimResult } from '../simulate.ts'
import { barChart, esc, lineChart, type Series } from './svg.ts'

/** One point of a distribution-time sweep over N (seconds). */
export interface SweepRow {
  n: number
  simulatedS: number
  dP2PS: number
  dCsS: number
}

export interface ReportInput {
  title: string
  /** The runs to plot; the first one is the "main" run (CDF, availability, upload share). */
  runs: SimResult[]
  sweep?: SweepRow[]
}

/**
 * One self-contained HTML page: inline SVG plots and tables, no scripts, no external
 * assets. Charts whose data the run did not produce say so instead of vanishing.
 */
export function renderReport (input: ReportInput): string {
  const main = input.runs[0]
  const charts: string[] = []
  charts.push(completionCdf(input.runs))
  charts.push(...sweepCharts(input.sweep))
  charts.push(lineChart({
    title: 'Chunk availability over time',
    xLabel: 'virtual time (s)',
    yLabel: 'copies',
    series: main === undefined ? [] : availabilitySeries(main)
  }))
  charts.push(uploadShare(main))
  charts.push(hopsHistogram(main))
  charts.push(recallByTtl(main))
  const rows = input.runs.map(r => `<tr><td>${esc(r.name)}</td><td>${esc(String(r.seed))}</td><td>${r.swarm.peers}</td><td>${r.swarm.completed}</td>` +
    `<td>${fmt(r.swarm.distributionTimeMs === null ? null : r.swarm.distributionTimeMs / 1000)}</td><td>${fmt(r.virtualTimeMs / 1000)}</td><td>${r.events}</td><td>${r.frames}</td><td><code>${r.hash.slice(0, 16)}</code></td></tr>`).join('')
  const sweep = input.sweep === undefined
    ? ''
    : `<h2>Distribution time vs N</h2><table><tr><th>N</th><th>simulated (s)</th><th>D_P2P (s)</th><th>D_cs (s)</th><th>simulated / D_P2P</th></tr>${input.sweep.map(r => `<tr><td>${r.n}</td><td>${fmt(r.simulatedS)}</td><td>${fmt(r.dP2PS)}</td><td>${fmt(r.dCsS)}</td><td>${fmt(r.simulatedS / r.dP2PS)}</td></tr>`).join('')}</table>`
  const errors = input.runs.flatMap(r => r.errors.map(e => `<li>${esc(r.name)}: ${esc(e)}</li>`)).join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222;background:#fafafa}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts svg{border:1px solid #ddd;background:#fff}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#eee}</style></head>
<body><h1>${esc(input.title)}</h1>
<p>Deterministic simulation on virtual time: the same seed reproduces every figure below (trace hash in the table).</p>
<table><tr><th>run</th><th>seed</th><th>peers</th><th>completed</th><th>distribution (s)</th><th>virtual time (s)</th><th>events</th><th>frames</th><th>trace hash</th></tr>${rows}</table>
${sweep}
<h2>Plots</h2><div class="charts">${charts.join('\n')}</div>
${errors === '' ? '' : `<h2>Errors</h2><ul>${errors}</ul>`}
</body></html>
`
}

function fmt (v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-'
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4)
}

function completionCdf (runs: SimResult[]): string {
  const series: Series[] = runs.slice(0, 6).map(r => {
    const t = r.peers.filter(p => p.completedAt !== null).map(p => ((p.completedAt as number) - p.joinAt) / 1000).sort((a, b) => a - b)
    const goal = r.peers.filter(p => p.role !== 'seed').length || r.peers.length
    return { name: `${r.name} (${t.length}/${goal})`, step: true, points: t.map((x, i) => [x, (i + 1) / goal] as [number, number]) }
  })
  return lineChart({ title: 'Completion time per peer (CDF)', xLabel: 'time after join (s)', yLabel: 'fraction of peers done', series })
}

function availabilitySeries (r: SimResult): Series[] {
  const keys = ['availabilityMin', 'availabilityMean']
  const out: Series[] = []
  for (const k of keys) {
    if (r.series.some(s => typeof s[k] === 'number')) out.push({ name: k === 'availabilityMin' ? 'rarest chunk' : 'mean over chunks', points: r.series.filter(s => typeof s[k] === 'number').map(s => [s.t / 1000, s[k]]) })
  }
  return out
}

function uploadShare (r: SimResult | undefined): string {
  const peers = r?.peers ?? []
  const total = peers.reduce((a, p) => a + p.bytesUp, 0)
  const top = [...peers].sort((a, b) => b.bytesUp - a.bytesUp || (a.id < b.id ? -1 : 1)).slice(0, 60)
  return barChart({ title: `Upload share per peer${peers.length > 60 ? ' (top 60)' : ''}`, xLabel: 'peer', yLabel: 'share of bytes uploaded', bars: total === 0 ? [] : top.map(p => ({ label: p.id.replace(/^[a-z-]+-/, ''), value: p.bytesUp / total })) })
}

function hopsHistogram (r: SimResult | undefined): string {
  const h = r?.summary.hops as Record<string, number> | undefined
  const bars = h === undefined ? [] : Object.entries(h).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => ({ label: k, value: v }))
  return barChart({ title: 'DHT lookup hops', xLabel: 'hops', yLabel: 'lookups', bars })
}

function recallByTtl (r: SimResult | undefined): string {
  const rec = r?.summary.recallByTtl as Record<string, number> | undefined
  const pts = rec === undefined ? [] : Object.entries(rec).map(([k, v]) => [Number(k), v] as [number, number]).sort((a, b) => a[0] - b[0])
  return lineChart({ title: 'Search recall vs TTL', xLabel: 'TTL', yLabel: 'recall', series: pts.length === 0 ? [] : [{ name: 'recall', points: pts }] })
}

/**
 * Largest N the linear sweep chart shows: the textbook sweep goes on to 100 and 1,000,
 * where D_cs (N·F/u_s) is a hundred times the rest and would flatten every other curve.
 */
const LINEAR_SWEEP_MAX_N = 30

/**
 * Distribution time against N beside the D_P2P and D_cs bounds: linear up to
 * LINEAR_SWEEP_MAX_N, plus a log-log chart of the whole sweep when it goes further.
 */
function sweepCharts (sweep: SweepRow[] | undefined): string[] {
  const curves = (rows: SweepRow[], f: (x: number) => number): Series[] => [
    { name: 'simulated', points: rows.map(r => [f(r.n), f(r.simulatedS)]) },
    { name: 'D_P2P bound', points: rows.map(r => [f(r.n), f(r.dP2PS)]), dashed: true },
    { name: 'D_cs (client-server)', points: rows.map(r => [f(r.n), f(r.dCsS)]), dashed: true }
  ]
  const rows = sweep ?? []
  const small = rows.filter(r => r.n <= LINEAR_SWEEP_MAX_N)
  const out = [lineChart({ title: 'Distribution time vs N', xLabel: 'N (clients)', yLabel: 'time (s)', series: small.length === 0 ? [] : curves(small, x => x) })]
  if (small.length < rows.length) {
    out.push(lineChart({ title: 'Distribution time vs N, whole sweep (log-log)', xLabel: 'log10 N', yLabel: 'log10 time (s)', series: curves(rows, Math.log10) }))
  }
  return out
}
