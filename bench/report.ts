/**
 * Benchmark output: named tables of rows plus headline ratios. The same figures print as
 * aligned text tables or, with --json, as one JSON object.
 */
export type Cell = string | number | boolean | null

export interface BenchTable {
  title: string
  columns: string[]
  rows: Cell[][]
  note?: string
}

export interface BenchReport {
  bench: string
  /** Machine facts that make figures comparable (cores, node version...). */
  environment?: Record<string, Cell>
  tables: BenchTable[]
  /** Headline ratios, e.g. { 'distribution.ratio.max': 1.21 }. */
  ratios?: Record<string, number>
}

export function printReport (r: BenchReport, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(r) + '\n')
    return
  }
  process.stdout.write(`# bench ${r.bench}\n`)
  if (r.environment !== undefined) {
    process.stdout.write(Object.entries(r.environment).map(([k, v]) => `${k}=${String(v)}`).join('  ') + '\n')
  }
  for (const t of r.tables) process.stdout.write('\n' + formatTable(t))
  if (r.ratios !== undefined && Object.keys(r.ratios).length > 0) {
    process.stdout.write('\nratios:\n')
    for (const [k, v] of Object.entries(r.ratios)) process.stdout.write(`  ${k} = ${fmt(v)}\n`)
  }
}

export function formatTable (t: BenchTable): string {
  const cells = [t.columns, ...t.rows.map(r => r.map(fmt))]
  const widths = t.columns.map((_, i) => Math.max(...cells.map(r => String(r[i] ?? '').length)))
  const line = (r: Cell[]): string => r.map((c, i) => {
    const s = String(c ?? '')
    return typeof c === 'number' || /^-?[\d.]+$/.test(s) ? s.padStart(widths[i]) : s.padEnd(widths[i])
  }).join('  ').trimEnd()
  const out = [`## ${t.title}`, line(t.columns), widths.map(w => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)]
  if (t.note !== undefined) out.push(t.note)
  return out.join('\n') + '\n'
}

function fmt (v: Cell): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v)
    return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3)
  }
  return v === null ? '-' : String(v)
}

export function environment (): Record<string, Cell> {
  return { node: process.version, cores: (globalThis as any).navigator?.hardwareConcurrency ?? null, platform: process.platform }
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median (xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
