import { resolve } from 'node:path'
import type { CliCommand } from '../../node/cli/command.ts'
import type { ShareResult } from './api.ts'
import type { Progress } from './progress.ts'
import { formatBytes, progressLine } from './progress-view.ts'

/** Redraw the progress line in place on a terminal (cursor up, clear line); plain lines otherwise. */
const REDRAW = '\x1b[1A\x1b[2K'

const complete = (p: Progress): boolean => p.chunksHave === p.chunks && (p.state === 'seeding' || p.state === 'complete')

export const chunksCommands: CliCommand[] = [
  {
    path: ['share'],
    summary: 'Share a file: hash it into chunks and print its link.',
    usage: 'peerhive share <file> [--json]',
    options: [],
    async run (positionals, _flags, ctx) {
      const file = positionals[0]
      if (file === undefined) { ctx.err('usage: peerhive share <file> [--json]'); return 2 }
      const r = await ctx.call<ShareResult>('chunks.share', { path: resolve(file) })
      if (ctx.json) ctx.out(JSON.stringify(r))
      else {
        ctx.out(r.link)
        ctx.err(`sharing ${r.manifest.name}: ${formatBytes(r.manifest.size)} in ${r.manifest.chunks} chunks (sha256 ${r.sha256})`)
      }
      return 0
    }
  },
  {
    path: ['get'],
    summary: 'Download a shared file by its link; exits 0 once it is complete and verified.',
    usage: 'peerhive get <link> [-o path] [--seed] [--json]',
    options: [
      { name: 'out', short: 'o', type: 'string', doc: 'Output file, or an existing directory (default: the current directory, under the file\'s own name).' },
      { name: 'seed', type: 'boolean', doc: 'Keep seeding after the download completes (otherwise the peer leaves the swarm).' }
    ],
    async run (positionals, flags, ctx) {
      const link = positionals[0]
      if (link === undefined) { ctx.err('usage: peerhive get <link> [-o path] [--seed] [--json]'); return 2 }
      const o = typeof flags.out === 'string' ? flags.out : undefined
      const outIsDir = o === undefined || o.endsWith('/') || o === '.' || o === '..'
      const params = { link, out: resolve(o ?? '.') + (outIsDir ? '/' : ''), outIsDir, seed: flags.seed === true }
      const tty = process.stderr.isTTY === true
      let last: Progress | undefined
      let drawn = false
      for await (const p of ctx.stream<Progress>('chunks.get', params)) {
        last = p
        if (ctx.json) continue
        ctx.err((tty && drawn ? REDRAW : '') + progressLine(p))
        drawn = true
      }
      if (last === undefined) { ctx.err('the peer ended the transfer without a report'); return 1 }
      if (ctx.json) ctx.out(JSON.stringify(last))
      if (!complete(last)) {
        ctx.err(`transfer ${last.state}${last.error !== undefined ? `: ${last.error}` : ''}`)
        return 1
      }
      if (!ctx.json) ctx.out(last.location)
      return 0
    }
  },
  {
    path: ['transfers'],
    summary: 'List this peer\'s transfers (shared and downloading) with their progress.',
    usage: 'peerhive transfers [--json]',
    options: [],
    async run (_positionals, _flags, ctx) {
      const s = await ctx.call<{ transfers: Progress[] }>('chunks.status')
      if (ctx.json) { ctx.out(JSON.stringify(s)); return 0 }
      if (s.transfers.length === 0) ctx.out('no transfers')
      for (const p of s.transfers) ctx.out(`${p.link}  ${p.name}  ${progressLine(p)}`)
      return 0
    }
  }
]
