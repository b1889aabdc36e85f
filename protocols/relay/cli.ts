import type { CliCommand } from '../../node/cli/command.ts'
import type { SearchHit } from '../../node/contracts.ts'
import type { RelayStatus, WhereResult } from './actor.ts'

export const relayCommands: CliCommand[] = [
  {
    path: ['whereis'],
    summary: 'Look a user name up in the supernode directory: its peer id and current addresses.',
    usage: 'peerhive whereis <name> [--json]',
    options: [],
    async run (pos, _flags, ctx) {
      const name = pos[0]
      if (name === undefined) { ctx.err('usage: peerhive whereis <name>'); return 2 }
      const r = await ctx.call<WhereResult>('relay.whereis', { name })
      if (ctx.json) ctx.out(JSON.stringify(r))
      else { ctx.out(`${r.name} ${r.peer}`); for (const a of r.addrs) ctx.out(`  ${a}`) }
      return 0
    }
  },
  {
    path: ['relay', 'search'],
    summary: 'Search the supernode tier\'s content index (KaZaA group leaders).',
    usage: 'peerhive relay search <words...> [--json]',
    options: [],
    async run (pos, _flags, ctx) {
      if (pos.length === 0) { ctx.err('usage: peerhive relay search <words...>'); return 2 }
      const hits = await ctx.call<SearchHit[]>('relay.search', { text: pos.join(' ') })
      if (ctx.json) ctx.out(JSON.stringify(hits))
      else for (const h of hits) ctx.out(`${h.file.link}  ${h.file.size}  ${h.file.name}  ${h.peer}`)
      return 0
    }
  },
  {
    path: ['relay', 'status'],
    summary: 'This peer\'s role, supernode, relayed addresses and (as a supernode) children and directory size.',
    usage: 'peerhive relay status [--json]',
    options: [],
    async run (_pos, _flags, ctx) {
      const s = await ctx.call<RelayStatus>('relay.status')
      if (ctx.json) ctx.out(JSON.stringify(s))
      else for (const [k, v] of Object.entries(s)) ctx.out(`${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`)
      return 0
    }
  }
]
