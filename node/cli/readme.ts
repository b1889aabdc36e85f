/**
 * Regenerates the README's generated sections (CLI reference, config fields) from the
 * command list and the config schema, so the docs cannot drift from --help:
 *   node node/cli/readme.ts          rewrite README.md in place
 *   node node/cli/readme.ts --check  exit 1 if README.md is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fieldsMarkdown } from '../../config/fields.ts'
import { peerSchema } from '../../config/peer-config.ts'
import type { Command } from './builtin.ts'
import { COMMANDS } from './commands/index.ts'
import { COMMON_OPTIONS } from './help.ts'

export function cliReference (commands: readonly Command[]): string {
  const out: string[] = []
  for (const c of commands) {
    out.push(`#### \`peerhive ${c.path.join(' ')}\``, '', c.summary, '', '```', c.usage, '```')
    if (c.description !== undefined) out.push('', c.description.replace(/\n/g, ' '))
    if (c.options.length > 0) {
      out.push('')
      for (const o of c.options) out.push(`- \`${o.short !== undefined ? `-${o.short}, ` : ''}--${o.name}${o.type === 'string' ? ' <value>' : ''}\`: ${o.doc}`)
    }
    out.push('')
  }
  out.push(`Every command also takes ${COMMON_OPTIONS.map(o => `\`--${o.name}\``).join(', ')}, \`--config <path>\`, \`--data-dir <dir>\` and any \`--<section>.<field> <value>\`.`)
  return out.join('\n')
}

export function replaceSection (text: string, name: string, body: string): string {
  const begin = `<!-- generated:${name} -->`
  const end = `<!-- /generated:${name} -->`
  const i = text.indexOf(begin)
  const j = text.indexOf(end)
  if (i < 0 || j < i) throw new Error(`README.md lacks the ${begin} ... ${end} markers`)
  return text.slice(0, i + begin.length) + '\n' + body + '\n' + text.slice(j)
}

export function renderReadme (text: string): string {
  return replaceSection(replaceSection(text, 'cli', cliReference(COMMANDS)), 'config-fields', fieldsMarkdown(peerSchema))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL('../../README.md', import.meta.url))
  const old = readFileSync(path, 'utf8')
  const next = renderReadme(old)
  if (process.argv.includes('--check')) {
    if (next !== old) {
      process.stderr.write('README.md is out of date: run node node/cli/readme.ts\n')
      process.exit(1)
    }
  } else if (next !== old) {
    writeFileSync(path, next)
    process.stderr.write('README.md updated\n')
  }
}
