/**
 * Minimal inline-SVG charts for the simulator report: no external assets, no scripts,
 * so the page renders the same anywhere (and in a headless browser test).
 */
export interface Series {
  name: string
  points: Array<[number, number]>
  /** Draw as steps (CDFs) instead of straight segments. */
  step?: boolean
  dashed?: boolean
}

const W = 560
const H = 300
const M = { l: 64, r: 16, t: 28, b: 44 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b']

export function esc (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function ticks (lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

function label (v: number): string {
  const a = Math.abs(v)
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`
  return String(+v.toPrecision(3))
}

function frame (title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">` +
    `<rect width="${W}" height="${H}" fill="#fff"/>` +
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-family="sans-serif" font-weight="bold">${esc(title)}</text>${body}</svg>`
}

function empty (title: string, why: string): string {
  return frame(title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13" font-family="sans-serif" fill="#777">${esc(why)}</text>`)
}

export function lineChart (opts: { title: string, xLabel: string, yLabel: string, series: Series[], yMin?: number }): string {
  const pts = opts.series.flatMap(s => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  if (pts.length === 0) return empty(opts.title, 'no data in this run')
  const xs = pts.map(p => p[0]); const ys = pts.map(p => p[1])
  let x0 = Math.min(...xs); let x1 = Math.max(...xs)
  let y0 = Math.min(opts.yMin ?? 0, ...ys); let y1 = Math.max(...ys)
  if (x1 === x0) { x0 -= 1; x1 += 1 }
  if (y1 === y0) { y1 = y0 + 1 }
  const px = (x: number): number => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r)
  const py = (y: number): number => H - M.b - ((y - y0) / (y1 - y0)) * (H - M.t - M.b)
  let body = axes(x0, x1, y0, y1, px, py, opts.xLabel, opts.yLabel)
  opts.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    if (p.length === 0) return
    let d = `M${px(p[0][0]).toFixed(1)},${py(p[0][1]).toFixed(1)}`
    for (let k = 1; k < p.length; k++) {
      if (s.step === true) d += `H${px(p[k][0]).toFixed(1)}`
      d += `L${px(p[k][0]).toFixed(1)},${py(p[k][1]).toFixed(1)}`
    }
    body += `<path d="${d}" fill="none" stroke="${c}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`
    if (p.length <= 40) for (const [x, y] of p) body += `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${c}"/>`
    body += `<rect x="${M.l + 10}" y="${M.t + 6 + i * 16}" width="12" height="3" fill="${c}"/><text x="${M.l + 26}" y="${M.t + 11 + i * 16}" font-size="11" font-family="sans-serif">${esc(s.name)}</text>`
  })
  return frame(opts.title, body)
}

export function barChart (opts: { title: string, xLabel: string, yLabel: string, bars: Array<{ label: string, value: number }> }): string {
  const bars = opts.bars.filter(b => Number.isFinite(b.value))
  if (bars.length === 0) return empty(opts.title, 'no data in this run')
  const y1 = Math.max(...bars.map(b => b.value), 1e-12)
  const py = (y: number): number => H - M.b - (y / y1) * (H - M.t - M.b)
  const bw = (W - M.l - M.r) / bars.length
  let body = axes(0, bars.length, 0, y1, x => M.l + x * bw, py, opts.xLabel, opts.yLabel, true)
  bars.forEach((b, i) => {
    const x = M.l + i * bw
    body += `<rect x="${(x + bw * 0.1).toFixed(1)}" y="${py(b.value).toFixed(1)}" width="${Math.max(0.5, bw * 0.8).toFixed(1)}" height="${(H - M.b - py(b.value)).toFixed(1)}" fill="${COLORS[0]}"><title>${esc(b.label)}: ${label(b.value)}</title></rect>`
    if (bars.length <= 24) body += `<text x="${(x + bw / 2).toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle" font-size="10" font-family="sans-serif">${esc(b.label)}</text>`
  })
  return frame(opts.title, body)
}

function axes (x0: number, x1: number, y0: number, y1: number, px: (x: number) => number, py: (y: number) => number, xl: string, yl: string, noXTicks = false): string {
  let s = `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#333"/><line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#333"/>`
  for (const v of ticks(y0, y1)) {
    s += `<line x1="${M.l - 4}" y1="${py(v).toFixed(1)}" x2="${W - M.r}" y2="${py(v).toFixed(1)}" stroke="#eee"/><text x="${M.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" font-size="10" font-family="sans-serif">${label(v)}</text>`
  }
  if (!noXTicks) {
    for (const v of ticks(x0, x1)) s += `<text x="${px(v).toFixed(1)}" y="${H - M.b + 14}" text-anchor="middle" font-size="10" font-family="sans-serif">${label(v)}</text>`
  }
  s += `<text x="${(M.l + W - M.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="11" font-family="sans-serif">${esc(xl)}</text>`
  s += `<text transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11" font-family="sans-serif">${esc(yl)}</text>`
  return s
}
