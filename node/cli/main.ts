import { parseArgs, type ParseArgsConfig } from 'node:util'
import { splitConfigArgs } from '../../config/flags.ts'
import { loadConfig } from '../../config/load.ts'
import { peerSchema } from '../../config/peer-config.ts'
import type { Command } from './builtin.ts'
import { controlContext } from './context.ts'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, exitCodeFor } from './exit-codes.ts'
import { COMMON_OPTIONS, commandHelp, topHelp } from './help.ts'
import type { CliIo } from './io.ts'

/** The command whose path is the longest prefix of the positional words. */
export function findCommand (commands: readonly Command[], words: readonly string[]): Command | undefined {
  let best: Command | undefined
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((w, i) => words[i] === w) && (best === undefined || c.path.length > best.path.length)) best = c
  }
  return best
}

/**
 * Runs one CLI invocation and returns its exit code. Errors print as one line
 * (`peerhive: ...`); with `--node.logLevel debug` the stack follows.
 */
export async function main (argv: string[], commands: readonly Command[], io: CliIo, self: string[]): Promise<number> {
  const debug = argv.some((a, i) => a === '--node.logLevel=debug' || (a === '--node.logLevel' && argv[i + 1] === 'debug')) || io.env.PEERHIVE_NODE_LOG_LEVEL === 'debug'
  try {
    return await run(argv, commands, io, self)
  } catch (err) {
    io.err(`peerhive: ${(err as Error).message ?? String(err)}`)
    if (debug && err instanceof Error && err.stack !== undefined) io.err(err.stack)
    return exitCodeFor(err)
  }
}

async function run (argv: string[], commands: readonly Command[], io: CliIo, self: string[]): Promise<number> {
  const wantsHelp = argv.includes('--help') || argv.includes('-h')
  const split = splitConfigArgs(argv, peerSchema)
  const words = leadingWords(split.rest)
  const cmd = findCommand(commands, words)
  if (cmd === undefined) {
    if (words.length === 0) {
      io[wantsHelp ? 'out' : 'err'](topHelp(commands))
      return wantsHelp ? EXIT_OK : EXIT_USAGE
    }
    throw new UsageError(`unknown command "${words.join(' ')}" (run peerhive --help for the list)`)
  }
  if (wantsHelp) {
    io.out(commandHelp(cmd))
    return EXIT_OK
  }

  const options: NonNullable<ParseArgsConfig['options']> = {}
  for (const o of [...cmd.options, ...COMMON_OPTIONS]) {
    options[o.name] = { type: o.type, ...(o.short !== undefined ? { short: o.short } : {}), ...(o.multiple === true ? { multiple: true } : {}) }
  }
  let parsed: { values: Record<string, string | boolean | Array<string | boolean> | undefined>, positionals: string[] }
  try {
    parsed = parseArgs({ args: split.rest, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError(`${cmd.path.join(' ')}: ${(err as Error).message.split('\n')[0]} (see peerhive ${cmd.path.join(' ')} --help)`)
  }
  const positionals = parsed.positionals.slice(cmd.path.length)
  const json = parsed.values.json === true
  const loaded = loadConfig({ file: split.configFile, env: io.env, flags: split.flags })
  const code = await cmd.run({
    positionals,
    flags: parsed.values as Record<string, string | boolean | string[] | undefined>,
    json,
    loaded,
    configArgs: split,
    io,
    ctx: controlContext(loaded.config.node.dataDir, json, io),
    self
  })
  return Number.isInteger(code) ? code : EXIT_FAILURE
}

/** Positional words before the first option: the command path candidates. */
function leadingWords (args: readonly string[]): string[] {
  const out: string[] = []
  for (const a of args) {
    if (a.startsWith('-')) break
    out.push(a)
  }
  return out
}
