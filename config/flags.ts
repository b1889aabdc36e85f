import { ConfigError } from '../node/errors.ts'
import type { Schema } from './schema.ts'

/** One `--<section>.<field> value` from the command line, in the order given. */
export interface ConfigFlag {
  section: string
  field: string
  /** As typed (`--net.uploadBps`), for error messages. */
  flag: string
  value: string
}

export interface SplitArgs {
  /** `--config path` (the last one wins). */
  configFile?: string
  flags: ConfigFlag[]
  /** Everything else, in order, for the command's own parser. */
  rest: string[]
}

/**
 * Pulls the config flags out of argv before the command's own parser sees it, so every
 * command accepts every config field without declaring it: `--<section>.<field> value`,
 * `--<section>.<field>=value`, a bare `--<section>.<field>` for a boolean field (true),
 * `--config path` and `--data-dir path` (an alias of `--node.dataDir`). Arguments after
 * `--` are left alone.
 */
export function splitConfigArgs (argv: readonly string[], schema: Schema): SplitArgs {
  const out: SplitArgs = { flags: [], rest: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      out.rest.push(...argv.slice(i))
      break
    }
    const m = /^--([^=]+?)(?:=(.*))?$/s.exec(arg)
    if (m === null) {
      out.rest.push(arg)
      continue
    }
    const name = m[1]
    const inline = m[2]
    const isConfigFlag = name.includes('.') || name === 'config' || name === 'data-dir'
    if (!isConfigFlag) {
      out.rest.push(arg)
      continue
    }
    const [section, ...fieldParts] = name === 'data-dir' ? ['node', 'dataDir'] : name.split('.')
    const field = fieldParts.join('.')
    const isBool = schema[section]?.[field]?.kind === 'boolean'
    let value = inline
    if (value === undefined) {
      const next = argv[i + 1]
      if (next !== undefined && !next.startsWith('--') && (!isBool || next === 'true' || next === 'false')) {
        value = next
        i++
      } else if (isBool) {
        value = 'true'
      } else {
        throw new ConfigError(name === 'config' ? 'config' : `${section}.${field}`, name === 'config' ? 'a config file path' : 'a value', undefined, `flag --${name}`)
      }
    }
    if (name === 'config') out.configFile = value
    else out.flags.push({ section, field, flag: `--${name}`, value })
  }
  return out
}
