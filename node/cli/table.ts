/** Plain aligned text tables for human output (numbers right-aligned). */
export function renderTable (columns: string[], rows: Array<Array<string | number>>): string[] {
  const cells = [columns, ...rows.map(r => r.map(c => String(c)))]
  const widths = columns.map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)))
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every(r => typeof r[i] === 'number'))
  return cells.map(r => r.map((c, i) => numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])).join('  ').trimEnd())
}

/** A peer id shortened for tables: last 8 characters are the distinctive ones. */
export function shortId (id: string): string {
  return id.length > 12 ? `…${id.slice(-8)}` : id
}
