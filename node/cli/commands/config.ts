import { peerSchema } from '../../../config/peer-config.ts'
import { describeFields, formatDefault } from '../../../config/fields.ts'
import { describeOrigin } from '../../../config/provenance.ts'
import type { Command } from '../builtin.ts'
import { EXIT_OK } from '../exit-codes.ts'
import { renderTable } from '../table.ts'

export const configCommand: Command = {
  path: ['config'],
  summary: 'Print the effective config (defaults < file < env < flags), or every field with --fields.',
  usage: 'peerhive config [--json] [--fields] [--config path] [--<section>.<field> value ...]',
  description: 'Without --json each line is `section.field = value  (source)`. --fields lists every field with its type, default, env var and doc, generated from the schema.',
  options: [
    { name: 'fields', type: 'boolean', doc: 'List every config field: type, default, env var, doc.' }
  ],
  async run (inv) {
    if (inv.flags.fields === true) {
      const fields = describeFields(peerSchema)
      if (inv.json) {
        inv.io.out(JSON.stringify(fields))
        return EXIT_OK
      }
      for (const f of fields) {
        inv.io.out(`${f.path}  (${f.kind}, default ${formatDefault(f.default)})`)
        inv.io.out(`    ${f.doc}`)
        inv.io.out(`    ${f.flag} <value> | ${f.env}=<value>`)
      }
      return EXIT_OK
    }
    const { config, origins } = inv.loaded
    if (inv.json) {
      inv.io.out(JSON.stringify(config))
      return EXIT_OK
    }
    const rows: string[][] = []
    for (const [section, fields] of Object.entries(config)) {
      for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
        const origin = origins.get(`${section}.${field}`)
        rows.push([`${section}.${field}`, '=', JSON.stringify(value), origin === undefined ? '' : `(${describeOrigin(origin)})`])
      }
    }
    for (const line of renderTable(['field', '', 'value', 'source'], rows).slice(1)) inv.io.out(line)
    return EXIT_OK
  }
}
