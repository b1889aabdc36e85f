import type { Schema } from './schema.ts'
import { envName, flagName } from './naming.ts'

/** One config field as documented by `peerhive config --fields` and the README. */
export interface FieldDoc {
  path: string
  kind: string
  default: unknown
  doc: string
  env: string
  flag: string
}

/** Every field of the schema, in schema order: docs generated from the schema never drift. */
export function describeFields (schema: Schema): FieldDoc[] {
  const out: FieldDoc[] = []
  for (const [section, fields] of Object.entries(schema)) {
    for (const [field, f] of Object.entries(fields)) {
      out.push({ path: `${section}.${field}`, kind: f.kind, default: f.default, doc: f.doc, env: envName(section, field), flag: flagName(section, field) })
    }
  }
  return out
}

/** A default as it would be typed on the command line (lists comma-separated). */
export function formatDefault (v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.join(',')
  if (v === '') return '""'
  return String(v)
}

/** Markdown table of the fields (README's configuration section). */
export function fieldsMarkdown (schema: Schema): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  const rows = describeFields(schema).map(f => `| \`${f.path}\` | ${esc(f.kind)} | \`${esc(formatDefault(f.default))}\` | ${esc(f.doc)} |`)
  return ['| field | type | default | doc |', '|---|---|---|---|', ...rows].join('\n')
}
