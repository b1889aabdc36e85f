import type { CliCommand } from '../../node/cli/command.ts'
import { ringLines, type RingJson } from './view.ts'

interface GetOut { key: string, found: boolean, value?: string, encoding?: string, holder?: string, hops: number }

/** `peerhive dht put|get|ring|lookup`, through the running peer's control API. */
export const dhtCommands: CliCommand[] = [
  {
    path: ['dht', 'put'],
    summary: 'Store a value under a key in the DHT (replicated on the owner\'s successors).',
    usage: 'peerhive dht put <key> <value>',
    options: [],
    async run (pos, _flags, ctx) {
      if (pos.length !== 2) { ctx.err('usage: peerhive dht put <key> <value>'); return 2 }
      const res = await ctx.call<{ owner: string, replicas: number, hops: number }>('dht.put', { key: pos[0], value: pos[1] })
      ctx.out(ctx.json ? JSON.stringify(res) : `stored at ${res.owner} (+${res.replicas} replicas, ${res.hops} hops)`)
      return 0
    }
  },
  {
    path: ['dht', 'get'],
    summary: 'Read the value stored under a key.',
    usage: 'peerhive dht get <key>',
    options: [],
    async run (pos, _flags, ctx) {
      if (pos.length !== 1) { ctx.err('usage: peerhive dht get <key>'); return 2 }
      const res = await ctx.call<GetOut>('dht.get', { key: pos[0] })
      if (ctx.json) ctx.out(JSON.stringify(res))
      else if (res.found) ctx.out(res.value ?? '')
      else ctx.err(`not found: ${pos[0]}`)
      return res.found ? 0 : 1
    }
  },
  {
    path: ['dht', 'ring'],
    summary: 'Show this peer\'s ring state: id, predecessor, successors, fingers.',
    usage: 'peerhive dht ring [--json]',
    options: [],
    async run (_pos, _flags, ctx) {
      const ring = await ctx.call<RingJson>('dht.ring')
      if (ctx.json) ctx.out(JSON.stringify(ring))
      else for (const line of ringLines(ring)) ctx.out(line)
      return 0
    }
  },
  {
    path: ['dht', 'lookup'],
    summary: 'Find the peer that owns a key, and the hops it took.',
    usage: 'peerhive dht lookup <key>',
    options: [],
    async run (pos, _flags, ctx) {
      if (pos.length !== 1) { ctx.err('usage: peerhive dht lookup <key>'); return 2 }
      const res = await ctx.call<{ id: string, peer: string, hops: number }>('dht.lookup', { key: pos[0] })
      ctx.out(ctx.json ? JSON.stringify(res) : `${res.id}  ->  ${res.peer}  (${res.hops} hops)`)
      return 0
    }
  }
]
