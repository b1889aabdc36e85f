import { ConfigError } from '../node/errors.ts'

/**
 * One configuration schema, composed of sections (core, net, and one per protocol, each
 * owned by its module). A field knows its type, default, bounds and doc; validation names
 * the field and what it expected, e.g. `chunks.uploadSlots: expected integer >= 1, got "x"`.
 */
export interface Field<T> {
  kind: string
  default: T
  doc: string
  /** Parse a raw value (JSON or an env/flag string); throw ConfigError on a bad one. */
  parse(raw: unknown, path: string, source: string): T
}

export type Section = Record<string, Field<unknown>>
export type Schema = Record<string, Section>

export type SectionValue<S extends Section> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never }
export type SchemaValue<S extends Schema> = { [K in keyof S]: SectionValue<S[K]> }

const fromString = (raw: unknown): unknown => {
  if (typeof raw !== 'string') return raw
  const t = raw.trim()
  if (t === 'true') return true
  if (t === 'false') return false
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t)
  return raw
}

export function int (opts: { default: number, min?: number, max?: number, doc: string }): Field<number> {
  const range = `integer${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`
  return {
    kind: range,
    default: opts.default,
    doc: opts.doc,
    parse (raw, path, source) {
      const v = fromString(raw)
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
        throw new ConfigError(path, range, raw, source)
      }
      return v
    }
  }
}

export function num (opts: { default: number, min?: number, max?: number, doc: string }): Field<number> {
  const range = `number${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` <= ${opts.max}` : ''}`
  return {
    kind: range,
    default: opts.default,
    doc: opts.doc,
    parse (raw, path, source) {
      const v = fromString(raw)
      if (typeof v !== 'number' || !Number.isFinite(v) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
        throw new ConfigError(path, range, raw, source)
      }
      return v
    }
  }
}

export function bool (opts: { default: boolean, doc: string }): Field<boolean> {
  return {
    kind: 'boolean',
    default: opts.default,
    doc: opts.doc,
    parse (raw, path, source) {
      const v = fromString(raw)
      if (typeof v !== 'boolean') throw new ConfigError(path, 'true or false', raw, source)
      return v
    }
  }
}

export function str (opts: { default: string, doc: string, pattern?: RegExp, expected?: string }): Field<string> {
  const expected = opts.expected ?? (opts.pattern !== undefined ? `a string matching ${opts.pattern}` : 'a string')
  return {
    kind: 'string',
    default: opts.default,
    doc: opts.doc,
    parse (raw, path, source) {
      if (typeof raw !== 'string' || (opts.pattern !== undefined && !opts.pattern.test(raw))) throw new ConfigError(path, expected, raw, source)
      return raw
    }
  }
}

export function oneOf<const T extends string> (opts: { default: T, values: readonly T[], doc: string }): Field<T> {
  const expected = `one of ${opts.values.join(' | ')}`
  return {
    kind: expected,
    default: opts.default,
    doc: opts.doc,
    parse (raw, path, source) {
      if (typeof raw !== 'string' || !opts.values.includes(raw as T)) throw new ConfigError(path, expected, raw, source)
      return raw as T
    }
  }
}

/** A list of strings; from env/flags, comma-separated. */
export function strList (opts: { default: string[], doc: string, item?: (s: string) => boolean, expected?: string }): Field<string[]> {
  const expected = opts.expected ?? 'a list of strings'
  return {
    kind: expected,
    default: opts.default,
    doc: opts.doc,
    parse (raw, path, source) {
      const list = typeof raw === 'string' ? raw.split(',').map(s => s.trim()).filter(s => s !== '') : raw
      if (!Array.isArray(list)) throw new ConfigError(path, expected, raw, source)
      list.forEach((item, i) => {
        if (typeof item !== 'string' || (opts.item !== undefined && !opts.item(item))) throw new ConfigError(`${path}[${i}]`, expected.replace(/^a list of /, 'a '), item, source)
      })
      return list as string[]
    }
  }
}

/** Defaults of every field of a schema. */
export function defaults<S extends Schema> (schema: S): SchemaValue<S> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [sec, fields] of Object.entries(schema)) {
    out[sec] = {}
    for (const [k, f] of Object.entries(fields)) out[sec][k] = structuredClone(f.default)
  }
  return out as SchemaValue<S>
}

/**
 * Overlay `raw` (a partial config object from one source) onto `base`, validating each
 * field. Unknown sections or fields are errors too: a typo must not pass silently.
 */
export function overlay<S extends Schema> (schema: S, base: SchemaValue<S>, raw: unknown, source: string): SchemaValue<S> {
  if (raw === undefined || raw === null) return base
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('(root)', 'an object of sections', raw, source)
  const out = structuredClone(base) as Record<string, Record<string, unknown>>
  for (const [sec, val] of Object.entries(raw as Record<string, unknown>)) {
    if (sec === '$schema' || sec === 'comment') continue
    const fields = schema[sec]
    if (fields === undefined) throw new ConfigError(sec, `a known section (${Object.keys(schema).join(', ')})`, val, source)
    if (typeof val !== 'object' || val === null || Array.isArray(val)) throw new ConfigError(sec, 'an object', val, source)
    for (const [k, v] of Object.entries(val as Record<string, unknown>)) {
      const f = fields[k]
      if (f === undefined) throw new ConfigError(`${sec}.${k}`, `a known field of ${sec} (${Object.keys(fields).join(', ')})`, v, source)
      out[sec][k] = f.parse(v, `${sec}.${k}`, source)
    }
  }
  return out as SchemaValue<S>
}
