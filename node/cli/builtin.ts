import type { SplitArgs } from '../../config/flags.ts'
import type { LoadedConfig } from '../../config/load.ts'
import type { CliCommand, CliContext, OptionSpec } from './command.ts'
import type { CliIo } from './io.ts'

/** Everything a command gets once its command line and config have been validated. */
export interface Invocation {
  positionals: string[]
  flags: Record<string, string | boolean | string[] | undefined>
  json: boolean
  loaded: LoadedConfig
  /** The config flags as given, so a command can pass them on to child processes. */
  configArgs: SplitArgs
  io: CliIo
  ctx: CliContext
  /** How to run this CLI again in a child process: [node, bin.ts]. */
  self: string[]
}

/**
 * A command of the CLI core (start, status...). Protocol modules' `CliCommand`s are
 * wrapped into this shape; the core's own commands also see the config.
 */
export interface Command {
  path: string[]
  summary: string
  usage: string
  options: OptionSpec[]
  /** More help text after the usage line. */
  description?: string
  run(inv: Invocation): Promise<number>
}

export function fromModuleCommand (c: CliCommand): Command {
  return {
    path: c.path,
    summary: c.summary,
    usage: c.usage,
    options: c.options,
    run: async (inv) => await c.run(inv.positionals, inv.flags, inv.ctx)
  }
}
