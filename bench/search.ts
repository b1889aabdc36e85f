/**
 * `npm run bench -- search [--sizes 50,200] [--degrees 4,8] [--queries 3] [--timeout-ms 2000] [--seed s]`
 *
 * Flood search on real libp2p peers (memory transport, one process): for each swarm size N
 * and overlay degree d, one file is replicated on 1% of the peers (at least one); for TTL
 * 1..7, queries from random peers measure messages per query (Query descriptors sent by
 * all peers), the fraction of received Queries that were duplicates, reach (peers that
 * handled the query) and recall (holders whose QueryHit came back), next to the number of
 * overlay edges: a flood reaching every node costs at least N-1 messages, and on a graph
 * with E edges a full flood costs up to 2E - (N - 1).
 */
import { createSwarm, type Swarm } from '../node/swarm.ts'
import type { RuntimePeer } from '../node/peer.ts'
import { SeededRandom } from '../node/ports/random.ts'
import type { SearchApi } from '../protocols/flood-search/api.ts'
import type { SearchStats } from '../protocols/flood-search/actor.ts'
import { DEGREE_LIMIT } from '../protocols/flood-search/constants.ts'
import { environment, type BenchReport, type Cell } from './report.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

function arg (args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}

const search = (p: RuntimePeer): SearchApi => p.services.get<SearchApi>('search') as SearchApi

async function startSwarm (n: number, degree: number): Promise<Swarm> {
  return await createSwarm({
    size: n - 1,
    transport: 'memory',
    startConcurrency: 5,
    config: {
      // The bootstrap peer must take a connection from every joiner: net.highWater (libp2p maxConnections) defaults to 100.
      net: { lowWater: Math.min(degree + 2, 10), highWater: n + 20 },
      dht: { enabled: false },
      relay: { enabled: false },
      chunks: { enabled: false },
      search: { targetDegree: degree, maxDegree: Math.min(degree + 1, DEGREE_LIMIT), maintainIntervalMs: 250, pingIntervalMs: 5_000, livenessTimeoutMs: 30_000 }
    }
  })
}

/** Wait (bounded) until the overlay stops growing: edges unchanged for 3 s, or 120 s. */
async function settleOverlay (peers: RuntimePeer[]): Promise<{ edges: number, meanDegree: number, isolated: number, largest: number, component: Set<string>, seconds: number }> {
  const t0 = Date.now()
  let last = -1
  let stableSince = Date.now()
  let degrees: number[] = []
  let lists: string[][] = []
  for (let i = 0; i < 240; i++) {
    lists = await Promise.all(peers.map(async p => (await search(p).neighbours()).map(x => x.peer as string)))
    degrees = lists.map(l => l.length)
    const edges = degrees.reduce((a, b) => a + b, 0)
    if (edges !== last) { last = edges; stableSince = Date.now() }
    if (Date.now() - stableSince >= 3_000 && degrees.every(d => d > 0)) break
    await sleep(500)
  }
  const sum = degrees.reduce((a, b) => a + b, 0)
  const largest = largestComponent(peers.map(p => p.id), lists)
  return { edges: sum / 2, meanDegree: sum / peers.length, isolated: degrees.filter(d => d === 0).length, largest: largest.size, component: largest, seconds: (Date.now() - t0) / 1000 }
}

/** Size of the largest connected component of the overlay (a flood cannot leave its component). */
function largestComponent (ids: string[], lists: string[][]): Set<string> {
  const adj = new Map(ids.map((id, i) => [id, lists[i]]))
  const seen = new Set<string>()
  let best = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) continue
    const stack = [id]
    seen.add(id)
    const comp = new Set<string>()
    while (stack.length > 0) {
      const x = stack.pop() as string
      comp.add(x)
      for (const y of adj.get(x) ?? []) if (!seen.has(y)) { seen.add(y); stack.push(y) }
    }
    if (comp.size > best.size) best = comp
  }
  return best
}

const total = (ss: SearchStats[], f: (s: SearchStats) => number): number => ss.reduce((a, s) => a + f(s), 0)

export async function run (args: string[]): Promise<BenchReport> {
  const sizes = arg(args, 'sizes', '50,200').split(',').map(Number)
  const degrees = arg(args, 'degrees', '4,8').split(',').map(Number)
  const queries = Number(arg(args, 'queries', '3'))
  const timeoutMs = Number(arg(args, 'timeout-ms', '2000'))
  const rnd = new SeededRandom(arg(args, 'seed', 'search-bench'))
  const rows: Cell[][] = []
  const setup: Cell[][] = []
  const ratios: Record<string, number> = {}
  for (const n of sizes) {
    for (const d of degrees) {
      const t0 = Date.now()
      let swarm: Swarm | undefined
      try {
        swarm = await startSwarm(n, d)
        const peers = swarm.all()
        const startSec = (Date.now() - t0) / 1000
        const ov = await settleOverlay(peers)
        setup.push([n, d, Math.min(d + 1, DEGREE_LIMIT), ov.edges, Number(ov.meanDegree.toFixed(2)), ov.isolated, ov.largest, Number(startSec.toFixed(1)), Number(ov.seconds.toFixed(1)), process.memoryUsage().rss / 2 ** 20 | 0])
        // Holders and origins inside the largest component: a peer that failed to join measures nothing.
        const joined = peers.filter(p => ov.component.has(p.id))
        const holders = rnd.shuffle([...joined]).slice(0, Math.max(1, Math.round(n / 100)))
        const file = { link: 'bafkreibenchsearchtarget', name: 'needle in the haystack.bin', size: 1 }
        for (const h of holders) h.services.set('chunks', { listShared: async () => [file] })
        const others = joined.filter(p => !holders.includes(p))
        for (let ttl = 1; ttl <= 7; ttl++) {
          let msgs = 0; let dupFrac = 0; let reach = 0; let recall = 0; let hitMsgs = 0
          for (let q = 0; q < queries; q++) {
            const origin = rnd.pick(others) as RuntimePeer
            const before = await Promise.all(peers.map(async p => await search(p).stats()))
            const responders = new Set<string>()
            for await (const hit of search(origin).search('needle haystack', { ttl, timeoutMs })) responders.add(hit.peer)
            await sleep(200) // stragglers: duplicates still in flight after the deadline are counted too
            const after = await Promise.all(peers.map(async p => await search(p).stats()))
            const delta = (f: (s: SearchStats) => number): number => total(after, f) - total(before, f)
            const sent = delta(s => s.sent.query)
            const received = delta(s => s.received.query)
            msgs += sent
            dupFrac += received === 0 ? 0 : delta(s => s.duplicateQueries) / received
            reach += delta(s => s.queriesAccepted) / (joined.length - 1)
            recall += responders.size / holders.length
            hitMsgs += delta(s => s.sent.hit)
          }
          rows.push([n, d, ov.edges, ttl, Number((msgs / queries).toFixed(1)), Number((msgs / queries / ov.edges).toFixed(2)), Number((dupFrac / queries).toFixed(3)), Number((reach / queries).toFixed(3)), Number((recall / queries).toFixed(2)), Number((hitMsgs / queries).toFixed(1))])
          if (ttl === 7) {
            ratios[`n${n}.d${d}.ttl7.messages_per_edge`] = Number((msgs / queries / ov.edges).toFixed(3))
            ratios[`n${n}.d${d}.ttl7.recall`] = Number((recall / queries).toFixed(3))
          }
        }
      } catch (err) {
        setup.push([n, d, null, null, null, null, null, null, null, `failed: ${(err as Error).message.slice(0, 120)}`])
      } finally {
        await swarm?.stop()
      }
    }
  }
  return {
    bench: 'search',
    environment: { ...environment(), transport: 'memory', queriesPerSetting: queries, timeoutMs },
    tables: [
      {
        title: 'overlay (libp2p peers in one process, memory transport)',
        columns: ['N', 'target degree', 'max degree', 'edges', 'mean degree', 'isolated', 'largest component', 'start s', 'settle s', 'rss MiB'],
        rows: setup
      },
      {
        title: 'flood per query (one file on 1% of peers)',
        columns: ['N', 'target degree', 'edges', 'TTL', 'msgs/query', 'msgs/edge', 'dup fraction', 'reach', 'recall', 'hit msgs'],
        rows,
        note: 'msgs/query counts Query descriptors sent by all peers; a flood reaching all N peers needs at least N-1 and at most 2E-(N-1). dup fraction = duplicate Queries dropped / Queries received. reach = peers that handled the query / (peers in the largest component - 1). recall = holders whose hit reached the origin.'
      }
    ],
    ratios
  }
}
