import { median, type BenchTable, type Cell } from '../report.ts'

const MB = 1_000_000

/** One measured transfer: wall-clock rate and the CPU it took (both peers, all threads). */
export interface Leg { bps: number, cpuMs: number }

/** One round of the two-peer comparison: the three legs back to back, and the load they ran under. */
export interface TwoPeerRound { plain: Leg, verified: Leg, ours: Leg, load: number }

/** The rounds as a table, with a median row (of each column, ratios included: the median of the per-round ratios). */
export function twoPeerTable (rounds: TwoPeerRound[], mib: number, title: string, note: string): BenchTable {
  const cells = (r: TwoPeerRound): number[] => [r.plain.bps / MB, r.verified.bps / MB, r.ours.bps / MB, r.ours.bps / r.plain.bps, r.ours.bps / r.verified.bps,
    r.plain.cpuMs / mib, r.verified.cpuMs / mib, r.ours.cpuMs / mib, r.load]
  const rows: Cell[][] = rounds.map((r, i) => [`round ${i + 1}`, ...cells(r)])
  const per = rounds.map(cells)
  rows.push(['median', ...per[0].map((_, c) => median(per.map(row => row[c])))])
  return {
    title,
    columns: ['round', 'plain MB/s', 'verified plain MB/s', 'ours MB/s', 'ours/plain', 'ours/verified', 'plain CPU ms/MiB', 'verified CPU ms/MiB', 'ours CPU ms/MiB', 'load 1 min'],
    rows,
    note
  }
}

/** The rounds' median ratios, named `<prefix>.vs-plain` and so on. */
export function twoPeerRatios (prefix: string, rounds: TwoPeerRound[]): Record<string, number> {
  return {
    [`${prefix}.vs-plain`]: median(rounds.map(r => r.ours.bps / r.plain.bps)),
    [`${prefix}.vs-verified-plain`]: median(rounds.map(r => r.ours.bps / r.verified.bps)),
    [`${prefix}.verified-plain/plain`]: median(rounds.map(r => r.verified.bps / r.plain.bps)),
    [`${prefix}.cpu-plain/ours`]: median(rounds.map(r => r.plain.cpuMs / r.ours.cpuMs))
  }
}
