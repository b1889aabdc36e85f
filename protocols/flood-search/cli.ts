import type { CliCommand } from '../../node/cli/command.ts'
import { MAX_SEARCH_TIMEOUT_MS } from './constants.ts'
import type { HitJson } from './index.ts'

/** Seconds to milliseconds for --timeout, rejecting what the search would refuse anyway. */
function timeoutMs (v: string | undefined): number | undefined | string {
  if (v === undefined) return undefined
  const s = Number(v)
  if (!Number.isFinite(s) || s <= 0 || s * 1000 > MAX_SEARCH_TIMEOUT_MS) return `--timeout must be seconds, more than 0 and at most ${MAX_SEARCH_TIMEOUT_MS / 1000}, got ${JSON.stringify(v)}`
  return Math.round(s * 1000)
}

function ttl (v: string | undefined): number | undefined | string {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 255) return `--ttl must be an integer from 1 to 255, got ${JSON.stringify(v)}`
  return n
}

export const searchCommands: CliCommand[] = [
  {
    path: ['search'],
    summary: 'Flood a keyword search over the overlay; results print as they arrive until the deadline',
    usage: 'peerhive search <words...> [--ttl N] [--timeout S] [--json]',
    options: [
      { name: 'ttl', type: 'string', doc: 'Hops the query may travel (default search.defaultTtl, clamped to search.maxTtl).' },
      { name: 'timeout', type: 'string', doc: 'Seconds to wait for results (default search.defaultTimeoutMs).' }
    ],
    async run (positionals, flags, ctx) {
      if (positionals.length === 0) { ctx.err('usage: peerhive search <words...> [--ttl N] [--timeout S] [--json]'); return 2 }
      const t = ttl(flags.ttl as string | undefined)
      const to = timeoutMs(flags.timeout as string | undefined)
      for (const bad of [t, to]) if (typeof bad === 'string') { ctx.err(bad); return 2 }
      const params: Record<string, unknown> = { words: positionals }
      if (t !== undefined) params.ttl = t
      if (to !== undefined) params.timeoutMs = to
      let n = 0
      // --json: one JSON object per line (NDJSON), printed as each hit arrives.
      for await (const h of ctx.stream<HitJson>('search.query', params)) {
        n++
        ctx.out(ctx.json ? JSON.stringify(h) : `${h.name}  ${h.size} bytes  ${h.link}  from ${h.peer} (${h.hops} hop${h.hops === 1 ? '' : 's'})`)
      }
      if (!ctx.json) ctx.err(n === 0 ? 'no results before the deadline' : `${n} result${n === 1 ? '' : 's'}`)
      return 0
    }
  },
  {
    path: ['neighbours'],
    summary: 'List this peer\'s search overlay neighbours',
    usage: 'peerhive neighbours [--json]',
    options: [],
    async run (_positionals, _flags, ctx) {
      const list = await ctx.call<Array<{ peer: string, addrs: string[], sinceMs: number, lastHeardMs: number }>>('search.neighbours')
      if (ctx.json) { ctx.out(JSON.stringify(list)); return 0 }
      for (const n of list) ctx.out(`${n.peer}  up ${Math.round(n.sinceMs / 1000)} s  heard ${Math.round(n.lastHeardMs / 1000)} s ago  ${n.addrs[0] ?? ''}`)
      ctx.err(`${list.length} neighbour${list.length === 1 ? '' : 's'}`)
      return 0
    }
  }
]
