import type { OptionSpec } from './command.ts'
import type { Command } from './builtin.ts'

/** Options every command accepts (config flags are split off before the command parses). */
export const COMMON_OPTIONS: OptionSpec[] = [
  { name: 'json', type: 'boolean', doc: 'Machine-readable output: one JSON value on stdout.' },
  { name: 'help', short: 'h', type: 'boolean', doc: 'Show this help.' }
]

const CONFIG_HELP = [
  'Config options (every command):',
  '  --config <path>              JSON config file (e.g. config/lan.json)',
  '  --data-dir <dir>             the peer\'s data dir (alias of --node.dataDir); selects which running peer to talk to',
  '  --<section>.<field> <value>  any config field, e.g. --net.uploadBps 1000000; list: peerhive config --fields',
  'Precedence: defaults < --config file < PEERHIVE_<SECTION>_<FIELD> env vars < flags.'
]

function optionLines (options: OptionSpec[]): string[] {
  const label = (o: OptionSpec): string => `${o.short !== undefined ? `-${o.short}, ` : ''}--${o.name}${o.type === 'string' ? ' <value>' : ''}`
  const width = Math.max(...options.map(o => label(o).length))
  return options.map(o => `  ${label(o).padEnd(width)}  ${o.doc}${o.multiple === true ? ' (repeatable)' : ''}`)
}

export function commandHelp (c: Command): string {
  const lines = [`usage: ${c.usage}`, '', c.summary]
  if (c.description !== undefined) lines.push('', c.description)
  lines.push('', 'Options:', ...optionLines([...c.options, ...COMMON_OPTIONS]), '', ...CONFIG_HELP)
  return lines.join('\n')
}

export function topHelp (commands: readonly Command[]): string {
  const name = (c: Command): string => c.path.join(' ')
  const width = Math.max(...commands.map(c => name(c).length))
  return [
    'usage: peerhive <command> [options]',
    '',
    'A peer-to-peer node: one peer hosts an actor per protocol (chunk exchange, DHT, flood search, relay).',
    '',
    'Commands:',
    ...commands.map(c => `  ${name(c).padEnd(width)}  ${c.summary}`),
    '',
    ...CONFIG_HELP,
    '',
    'Run peerhive <command> --help for a command\'s options. Exit codes: 0 ok, 1 failure, 2 usage or config error.'
  ].join('\n')
}
