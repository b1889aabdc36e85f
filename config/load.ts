import { readFileSync } from 'node:fs'
import { ConfigError, PeerhiveError } from '../node/errors.ts'
import { defaultConfig, peerSchema, type PeerConfig } from './peer-config.ts'
import { overlay, type Schema } from './schema.ts'
import type { ConfigFlag } from './flags.ts'
import { ENV_CONFIG_FILE, ENV_PREFIX, envName } from './naming.ts'
import type { Origin } from './provenance.ts'

export interface ConfigSources {
  /** A JSON config file (`--config path`); when absent, `PEERHIVE_CONFIG` from `env`. */
  file?: string
  /** Environment (usually process.env); `PEERHIVE_<SECTION>_<FIELD>` variables apply. */
  env?: Record<string, string | undefined>
  /** Config flags from the command line (see `splitConfigArgs`), applied in order. */
  flags?: readonly ConfigFlag[]
  /** Starting point instead of `defaultConfig()` (e.g. a bootstrap peer's defaults). */
  base?: PeerConfig
}

export interface LoadedConfig {
  config: PeerConfig
  /** `section.field` -> the source that set it last (absent: default). */
  origins: Map<string, Origin>
  file?: string
}

/**
 * The effective config: defaults < file < environment < flags. Every value is validated
 * by its schema field as it is applied; a bad one throws a ConfigError naming the field,
 * what was expected and the source (file path, env var or flag). Unknown sections, fields
 * and `PEERHIVE_*` variables are errors too: a typo must not silently do nothing.
 */
export function loadConfig (sources: ConfigSources = {}): LoadedConfig {
  const schema: Schema = peerSchema
  const origins = new Map<string, Origin>()
  let config = sources.base ?? defaultConfig()
  const env = sources.env ?? {}

  const file = sources.file ?? nonEmpty(env[ENV_CONFIG_FILE])
  if (file !== undefined) {
    const raw = readConfigFile(file)
    config = overlay(peerSchema, config, raw, `file ${file}`)
    for (const [sec, fields] of Object.entries(raw)) {
      if (typeof fields === 'object' && fields !== null && schema[sec] !== undefined) {
        for (const field of Object.keys(fields)) origins.set(`${sec}.${field}`, { kind: 'file', path: file })
      }
    }
  }

  for (const v of envOverrides(env, schema)) {
    config = overlay(peerSchema, config, { [v.section]: { [v.field]: v.value } }, `env ${v.name}`)
    origins.set(`${v.section}.${v.field}`, { kind: 'env', name: v.name })
  }

  for (const f of sources.flags ?? []) {
    config = overlay(peerSchema, config, { [f.section]: { [f.field]: f.value } }, `flag ${f.flag}`)
    origins.set(`${f.section}.${f.field}`, { kind: 'flag', name: f.flag })
  }

  return { config, origins, file }
}

function nonEmpty (s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s
}

/** Reads and parses a JSON config file; an unreadable or malformed file is a config error. */
export function readConfigFile (path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new PeerhiveError('invalid-config', `file ${path}: cannot read config file (${code ?? (err as Error).message})`, { source: `file ${path}` }, { cause: err })
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new PeerhiveError('invalid-config', `file ${path}: not valid JSON (${(err as Error).message})`, { source: `file ${path}` }, { cause: err })
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('(root)', 'an object of sections', raw, `file ${path}`)
  return raw as Record<string, unknown>
}

interface EnvValue { name: string, section: string, field: string, value: string }

/**
 * The `PEERHIVE_<SECTION>_<FIELD>` variables present in `env`, in schema order. Names are
 * derived from the schema (upper snake case of each field), so an unknown `PEERHIVE_*`
 * variable is a typo or a removed field: an error, like an unknown field in a file.
 */
export function envOverrides (env: Record<string, string | undefined>, schema: Schema): EnvValue[] {
  const known = new Map<string, { section: string, field: string }>()
  for (const [section, fields] of Object.entries(schema)) {
    for (const field of Object.keys(fields)) known.set(envName(section, field), { section, field })
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && name !== ENV_CONFIG_FILE && !known.has(name) && env[name] !== undefined) {
      throw new ConfigError(name, `a known PEERHIVE_<SECTION>_<FIELD> variable (e.g. ${[...known.keys()].slice(0, 3).join(', ')}; see peerhive config --fields)`, env[name], `env ${name}`)
    }
  }
  const out: EnvValue[] = []
  for (const [name, { section, field }] of known) {
    const value = env[name]
    if (value !== undefined) out.push({ name, section, field, value })
  }
  return out
}
