/**
 * `npm run bench -- search [--sizes 50,200] [--degrees 4,8] [--queries 5] [--timeout-ms 15000] [--form-ms 180000]
 *   [--low-water 1] [--wave N] [--seed s]`
 *
 * Flood search on real libp2p peers (memory transport, one process): for each swarm size N
 * and overlay degree d, the overlay must first hold every peer in one connected component
 * (otherwise the setting is reported as failed, with the stragglers' state as evidence, and
 * nothing is measured). Then one file is replicated on 1% of the peers (at least one) and,
 * for TTL 1..7, queries from random peers measure messages per query (Query descriptors sent
 * by all peers), the fraction of received Queries that were duplicates, reach and recall
 * (holders whose QueryHit came back), next to the overlay's edges E and the cost of a full
 * flood over it, 2E - (N - 1): the origin sends to all its neighbours and every other peer
 * forwards to all but the one it first heard from. The "in range" columns are what a perfect
 * flood reaches on the measured graph (peers and holders within TTL hops by BFS).
 */
import { loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createSwarm, type ConfigOverrides, type Swarm } from '../node/swarm.ts'
import type { RuntimePeer } from '../node/peer.ts'
import { createLogger, type LogRecord } from '../node/ports/logger.ts'
import { SeededRandom } from '../node/ports/random.ts'
import type { SearchApi } from '../protocols/flood-search/api.ts'
import type { SearchStats } from '../protocols/flood-search/actor.ts'
import { DEGREE_LIMIT } from '../protocols/flood-search/constants.ts'
import { environment, type BenchReport, type Cell } from './report.ts'
import { bfs as bfsDistances } from '../test/integration/flood-search/helpers.ts'
import type { PeerKey } from '../node/ports/net.ts'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

function arg (args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}

const search = (p: RuntimePeer): SearchApi => p.services.get<SearchApi>('search') as SearchApi

/** The search stats of every peer once no Query or QueryHit has moved for QUIET_MS (at most QUIET_MAX_MS). */
async function quiescent (peers: RuntimePeer[]): Promise<SearchStats[]> {
  const started = Date.now()
  let last = -1
  let stats = await Promise.all(peers.map(async p => await search(p).stats()))
  for (let i = 0; i < QUIET_MAX_MS / QUIET_MS && Date.now() - started < QUIET_MAX_MS; i++) {
    const moved = total(stats, x => x.sent.query + x.received.query + x.sent.hit + x.received.hit)
    if (moved === last) break
    last = moved
    await sleep(QUIET_MS)
    stats = await Promise.all(peers.map(async p => await search(p).stats()))
  }
  return stats
}
const QUIET_MS = 500
const QUIET_MAX_MS = 30_000

/** Overlay poll period while it forms. */
const POLL_MS = 500
/** The overlay counts as formed once it is one component and its edge count has not changed for this long. */
const STABLE_MS = 3_000

/**
 * Debug records, warnings and errors from every peer, counted by scope, message and error
 * text: the evidence when peers fail to join (failed neighbour dials, undelivered frames,
 * keeper dial failures). The sink only counts, so the cost is a map update per record.
 */
class LogTally {
  readonly counts = new Map<string, number>()
  readonly sink = (r: LogRecord): void => {
    if (r.level === 'info' || r.msg === 'discovered peer') return
    const error = r.fields?.error
    const text = error instanceof Error ? error.message : typeof error === 'string' ? error : ''
    const key = `${r.level} ${r.scope.replace(/^peerhive:[^:]*:?/, '')} ${r.msg}${text === '' ? '' : `: ${text.replace(/[0-9a-zA-Z]{40,}/g, '<id>').slice(0, 100)}`}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }

  reset (): void { this.counts.clear() }
  top (k: number): Array<[string, number]> { return [...this.counts].sort((a, b) => b[1] - a[1]).slice(0, k) }
}

/**
 * What a phase cost the process: event-loop lag (libp2p's connection monitor pings every
 * connection each 10 s and aborts it when no answer comes within 5 s, so lag past 5 s
 * tears down healthy connections) and libp2p connections closed, across all peers.
 */
class PhaseMeter {
  private readonly lag = monitorEventLoopDelay({ resolution: 20 })
  closes = 0
  readonly onClose = (): void => { this.closes++ }

  constructor () { this.lag.enable() }
  watch (peers: RuntimePeer[]): void { for (const p of peers) p.libp2p.addEventListener('connection:close', this.onClose) }
  unwatch (peers: RuntimePeer[]): void { for (const p of peers) p.libp2p.removeEventListener('connection:close', this.onClose) }
  reset (): void { this.lag.reset(); this.closes = 0 }
  /** [lag p99 ms, lag max ms, connections closed] since the last reset. */
  read (): [number, number, number] { return [Math.round(this.lag.percentile(99) / 1e6), Math.round(this.lag.max / 1e6), this.closes] }
  stop (): void { this.lag.disable() }
}

function swarmConfig (n: number, degree: number, lowWater: number): ConfigOverrides {
  return {
    // Every joiner first connects to the bootstrap peer, so its libp2p connection cap
    // (net.highWater = maxConnections, default 100) must exceed N or later joiners are pruned.
    // lowWater: the keeper dials only the bootstrap peer; the overlay opens the connections it
    // needs itself. More keeper connections only add Noise handshakes and monitor pings,
    // which on 2 shared cores push event-loop lag past libp2p's 5 s ping timeout. For the
    // same reason the connection monitor is off: with every peer in one event loop, a stall
    // of a few seconds made it abort healthy connections (thousands per run). Overlay
    // liveness is the search protocol's own Ping/Pong, which stays on.
    net: { lowWater, highWater: n + 20, connectionPingMs: 0 },
    dht: { enabled: false },
    relay: { enabled: false },
    // Search reads only the 'chunks' catalogue; a one-entry stand-in spares 200 chunk actors on 2 cores.
    chunks: { enabled: false },
    search: { targetDegree: degree, maxDegree: Math.min(degree + 1, DEGREE_LIMIT), maintainIntervalMs: 250, pingIntervalMs: 10_000, livenessTimeoutMs: 30_000, helloTimeoutMs: 15_000 }
  }
}

/** The peers of all waves; stopping stops them all. */
interface Grown {
  all(): RuntimePeer[]
  swarms: Swarm[]
}

/**
 * Grow the swarm in waves of `wave` peers, each wave joining through the bootstrap peer once
 * the previous one has found neighbours (bounded wait): the Noise handshakes and Hellos of a
 * wave are spread out instead of 200 peers joining in the same second, which on 2 shared
 * cores stalls the event loop for seconds (see the lag columns).
 */
async function growSwarm (n: number, degree: number, tally: LogTally, meter: PhaseMeter, lowWater: number, wave: number, t0: number, limitMs: number): Promise<Grown> {
  const peerOptions = { logger: createLogger(tally.sink, { level: 'debug', scope: 'peerhive' }) }
  const config = swarmConfig(n, degree, lowWater)
  const first = await createSwarm({ size: Math.min(wave, n) - 1, transport: 'memory', startConcurrency: 5, peerOptions, config })
  const grown: Grown = { swarms: [first], all: () => grown.swarms.flatMap(s => s.all()) }
  meter.watch(first.all())
  const entry = first.all()[0].multiaddrs()
  try {
    for (let have = Math.min(wave, n); have < n;) {
      await joined(grown.all(), t0 + limitMs)
      const size = Math.min(wave, n - have)
      const next = await createSwarm({ size, bootstrap: false, transport: 'memory', startConcurrency: 5, peerOptions, config: { ...config, net: { ...config.net, bootstrap: entry } } })
      meter.watch(next.all())
      grown.swarms.push(next)
      have += size
    }
  } catch (err) {
    await Promise.all(grown.swarms.map(async s => { await s.stop() }))
    throw err
  }
  return grown
}

/** Wait (bounded by `deadline`) until every peer has at least one overlay neighbour. */
async function joined (peers: RuntimePeer[], deadline: number): Promise<void> {
  for (let i = 0; i < 600 && Date.now() < deadline; i++) {
    const ds = await Promise.all(peers.map(async p => (await search(p).neighbours().catch(() => [])).length))
    if (ds.every(x => x > 0)) return
    await sleep(POLL_MS)
  }
}

interface Shape {
  ids: string[]
  lists: string[][]
  edges: number
  /** Directed neighbour entries whose reverse entry is missing (the overlay should be symmetric). */
  asymmetric: number
  components: string[][]
  degrees: number[]
  /** Search actors whose neighbours ask timed out. */
  unresponsive: number
}

async function shape (peers: RuntimePeer[]): Promise<Shape> {
  const ids = peers.map(p => p.id as string)
  // A search actor that does not answer within the ask deadline is stuck (its mailbox waits
  // behind a send): counted, and taken as having no neighbours.
  let unresponsive = 0
  const lists = await Promise.all(peers.map(async p => {
    try {
      return (await search(p).neighbours()).map(x => x.peer as string)
    } catch {
      unresponsive++
      return []
    }
  }))
  const sets = new Map(ids.map((id, i) => [id, new Set(lists[i])]))
  let asymmetric = 0
  ids.forEach((id, i) => { for (const y of lists[i]) if (sets.get(y)?.has(id) !== true) asymmetric++ })
  const degrees = lists.map(l => l.length)
  return { ids, lists, edges: degrees.reduce((a, b) => a + b, 0) / 2, asymmetric, components: components(ids, lists), degrees, unresponsive }
}

/** Connected components of the overlay, largest first (a flood cannot leave its component). */
function components (ids: string[], lists: string[][]): string[][] {
  const adj = new Map(ids.map((id, i) => [id, lists[i]]))
  const seen = new Set<string>()
  const out: string[][] = []
  for (const id of ids) {
    if (seen.has(id)) continue
    const stack = [id]
    seen.add(id)
    const comp: string[] = []
    while (stack.length > 0) {
      const x = stack.pop() as string
      comp.push(x)
      for (const y of adj.get(x) ?? []) if (!seen.has(y)) { seen.add(y); stack.push(y) }
    }
    out.push(comp)
  }
  return out.sort((a, b) => b.length - a.length)
}

/** Hop distance from `from` to every peer it reaches. */
function bfs (s: Shape, from: string): Map<string, number> {
  return bfsDistances(new Map(s.ids.map((id, i) => [id as PeerKey, s.lists[i] as PeerKey[]])), from as PeerKey)
}

interface Formed {
  shape: Shape
  /** Seconds from swarm start until every peer had a neighbour / until one component held all N (null: never). */
  allJoinedSec: number | null
  oneComponentSec: number | null
  settledSec: number
}

/** Poll (bounded in rounds and time) until the overlay is one component of all peers and its edge count is stable. */
async function formOverlay (peers: RuntimePeer[], t0: number, limitMs: number): Promise<Formed> {
  const deadline = Date.now() + limitMs
  let last = -1
  let stableSince = Date.now()
  let allJoinedSec: number | null = null
  let oneComponentSec: number | null = null
  let s!: Shape
  for (let i = 0; i <= limitMs / POLL_MS; i++) {
    s = await shape(peers)
    const since = (Date.now() - t0) / 1000
    if (allJoinedSec === null && s.degrees.every(d => d > 0)) allJoinedSec = since
    if (s.components[0].length === peers.length) oneComponentSec ??= since
    else oneComponentSec = null
    if (s.edges !== last) { last = s.edges; stableSince = Date.now() }
    if (oneComponentSec !== null && Date.now() - stableSince >= STABLE_MS) break
    if (Date.now() >= deadline) break
    await sleep(POLL_MS)
  }
  return { shape: s, allJoinedSec, oneComponentSec, settledSec: (Date.now() - t0) / 1000 }
}

/** Per straggler (a peer outside the largest component): what it knows and what happened to its dials. */
async function stragglerRows (n: number, d: number, peers: RuntimePeer[], s: Shape): Promise<Cell[][]> {
  const main = new Set(s.components[0])
  const out: Cell[][] = []
  for (const p of peers.filter(p => !main.has(p.id)).slice(0, 10)) {
    const st = await search(p).stats().catch(() => undefined)
    if (st === undefined) { out.push([n, d, p.id.slice(-8), 'search actor not answering', p.libp2p.getPeers().length]); continue }
    out.push([n, d, p.id.slice(-8), st.degree, p.libp2p.getPeers().length, st.knownHosts, st.neighboursAdded, st.neighboursLost, st.helloRefused, st.sendErrors])
  }
  return out
}

const SETUP_COLUMNS = ['N', 'target deg', 'max deg', 'edges E', 'mean deg', 'min deg', 'asym', 'components', 'largest', 'conns mean', 'conns max',
  'start s', 'all joined s', 'one comp s', 'settled s', 'lag p99', 'lag max', 'closed', 'rss MiB', 'E after', 'largest after', 'q lag p99', 'q lag max', 'q closed', 'error']
const COLUMNS = SETUP_COLUMNS.length

/** How long stopping a swarm may take before the bench reports the peers that hang and moves on. */
const STOP_LIMIT_MS = 60_000

/**
 * Stop every peer, bounded: a peer whose stop() has not settled after STOP_LIMIT_MS is
 * reported with where it hangs (search actor state, libp2p status) instead of hanging the
 * bench (a never-settling stop with nothing else scheduled ends the process silently).
 */
async function stopBounded (swarm: Grown): Promise<string | undefined> {
  const peers = swarm.all()
  const settled = new Set<RuntimePeer>()
  const all = Promise.all(peers.map(async p => { await p.stop().catch(() => {}); settled.add(p) }))
  let timer: NodeJS.Timeout | undefined
  await Promise.race([all, new Promise(resolve => { timer = setTimeout(resolve, STOP_LIMIT_MS) })])
  clearTimeout(timer)
  const hung = peers.filter(p => !settled.has(p))
  if (hung.length === 0) return undefined
  const where = new Map<string, number>()
  for (const p of hung) {
    const actors = p.status().actors.map(a => `${a.name}=${a.state}`).join(',')
    const k = `actors ${actors}, libp2p ${p.libp2p.status}`
    where.set(k, (where.get(k) ?? 0) + 1)
  }
  return `${hung.length} of ${peers.length} peers' stop() unsettled after ${STOP_LIMIT_MS} ms: ${[...where].map(([k, c]) => `${c}x ${k}`).join('; ')}`
}

const total = (ss: SearchStats[], f: (s: SearchStats) => number): number => ss.reduce((a, s) => a + f(s), 0)
const mean = (xs: number[]): number => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length
const round = (x: number, digits: number): number => Number(x.toFixed(digits))

export async function run (args: string[]): Promise<BenchReport> {
  const sizes = arg(args, 'sizes', '50,200').split(',').map(Number)
  const degrees = arg(args, 'degrees', '4,8').split(',').map(Number)
  const queries = Number(arg(args, 'queries', '5'))
  // Long: a loaded 2-core machine lags seconds behind with 200 peers in one process, and a
  // hit arriving after the deadline would count as a miss. Queries whose holders all answer
  // end at once.
  const timeoutMs = Number(arg(args, 'timeout-ms', '15000'))
  const formMs = Number(arg(args, 'form-ms', '180000'))
  const lowWater = Number(arg(args, 'low-water', '1'))
  // All at once by default: waves relieve the CPU but skew the graph (early peers fill up, so
  // later waves hang off each other in a chain with a long diameter).
  const wave = Number(arg(args, 'wave', '1000'))
  const meter = new PhaseMeter()
  const rnd = new SeededRandom(arg(args, 'seed', 'search-bench'))
  const rows: Cell[][] = []
  const setup: Cell[][] = []
  const stragglers: Cell[][] = []
  const logs: Cell[][] = []
  const stopHangs: Cell[][] = []
  const ratios: Record<string, number> = {}
  const tally = new LogTally()
  for (const n of sizes) {
    for (const d of degrees) {
      const t0 = Date.now()
      let swarm: Grown | undefined
      tally.reset()
      try {
        meter.reset()
        swarm = await growSwarm(n, d, tally, meter, lowWater, wave, t0, formMs)
        const peers = swarm.all()
        const startSec = (Date.now() - t0) / 1000
        const f = await formOverlay(peers, t0, formMs)
        const formCost = meter.read()
        const s = f.shape
        const conns = peers.map(p => p.libp2p.getPeers().length)
        const fullFlood = 2 * s.edges - (n - 1)
        setup.push([n, d, Math.min(d + 1, DEGREE_LIMIT), s.edges, round(mean(s.degrees), 2), Math.min(...s.degrees), s.asymmetric, s.components.length, s.components[0].length,
          round(mean(conns), 1), Math.max(...conns), round(startSec, 1), f.allJoinedSec === null ? null : round(f.allJoinedSec, 1), f.oneComponentSec === null ? null : round(f.oneComponentSec, 1), round(f.settledSec, 1), ...formCost, process.memoryUsage().rss / 2 ** 20 | 0])
        for (const [k, c] of tally.top(8)) logs.push([n, d, k, c])
        if (s.components[0].length !== n) {
          stragglers.push(...await stragglerRows(n, d, peers, s))
          throw new Error(`overlay not formed within ${formMs} ms: largest component ${s.components[0].length} of ${n} peers (${s.components.length} components, ${s.unresponsive} search actors not answering)`)
        }
        meter.reset()
        const holders = rnd.shuffle([...peers]).slice(0, Math.max(1, Math.round(n / 100)))
        const file = { link: 'bafkreibenchsearchtarget', name: 'needle in the haystack.bin', size: 1 }
        for (const h of holders) h.services.set('chunks', { listShared: async () => [file] })
        const others = peers.filter(p => !holders.includes(p))
        for (let ttl = 1; ttl <= 7; ttl++) {
          let msgs = 0; let dupFrac = 0; let reach = 0; let recall = 0; let hitMsgs = 0; let inRange = 0; let holdersInRange = 0
          for (let q = 0; q < queries; q++) {
            const origin = rnd.pick(others) as RuntimePeer
            const dist = bfs(s, origin.id)
            inRange += [...dist.values()].filter(x => x >= 1 && x <= ttl).length / (n - 1)
            holdersInRange += holders.filter(h => (dist.get(h.id) ?? Infinity) <= ttl).length / holders.length
            const before = await Promise.all(peers.map(async p => await search(p).stats()))
            const responders = new Set<string>()
            // Every holder answered: nothing more to wait for (the deadline only bounds misses).
            for await (const hit of search(origin).search('needle haystack', { ttl, timeoutMs })) {
              responders.add(hit.peer)
              if (responders.size === holders.length) break
            }
            // Stragglers: duplicates still in flight are counted to this query, not the next.
            const after = await quiescent(peers)
            const delta = (g: (x: SearchStats) => number): number => total(after, g) - total(before, g)
            const received = delta(x => x.received.query)
            msgs += delta(x => x.sent.query)
            dupFrac += received === 0 ? 0 : delta(x => x.duplicateQueries) / received
            reach += delta(x => x.queriesAccepted) / (n - 1)
            recall += responders.size / holders.length
            hitMsgs += delta(x => x.sent.hit)
          }
          const perQuery = msgs / queries
          rows.push([n, d, s.edges, fullFlood, ttl, round(perQuery, 1), round(perQuery / fullFlood, 3), round(dupFrac / queries, 3),
            round(reach / queries, 3), round(inRange / queries, 3), round(recall / queries, 2), round(holdersInRange / queries, 2), round(hitMsgs / queries, 1)])
          if (ttl === 7) {
            ratios[`n${n}.d${d}.ttl7.msgs_per_full_flood`] = round(perQuery / fullFlood, 3)
            ratios[`n${n}.d${d}.ttl7.recall`] = round(recall / queries, 3)
          }
        }
        const end = await shape(peers)
        setup[setup.length - 1].push(end.edges, end.components[0].length, ...meter.read())
      } catch (err) {
        const row = setup.at(-1)
        const message = `failed: ${(err as Error).message.slice(0, 160)}`
        if (row !== undefined && row[0] === n && row[1] === d) row.push(...new Array<Cell>(COLUMNS - 1 - row.length).fill(null), message)
        else setup.push([n, d, ...new Array<Cell>(COLUMNS - 3).fill(null), message])
      } finally {
        if (swarm !== undefined) {
          meter.unwatch(swarm.all())
          const hung = await stopBounded(swarm)
          if (hung !== undefined) stopHangs.push([n, d, hung])
        }
      }
    }
  }
  meter.stop()
  const tables: BenchReport['tables'] = [
    {
      title: 'overlay (libp2p peers in one process, memory transport)',
      columns: SETUP_COLUMNS,
      rows: setup.map(r => [...r, ...new Array<Cell>(COLUMNS - r.length).fill(null)]),
      note: 'Times from swarm start. "one comp s": every peer in one overlay component (held until measuring); asym: neighbour entries not returned by the other side; conns: libp2p connections per peer; lag: event-loop delay of the process (ms); closed: libp2p connections closed (both ends count). "q" columns: the same during the queries; "after": the overlay once all queries ran (must be unchanged).'
    },
    {
      title: 'flood per query (one file on 1% of peers)',
      columns: ['N', 'deg', 'edges E', '2E-(N-1)', 'TTL', 'msgs/query', 'msgs/full flood', 'dup fraction', 'reach', 'in range', 'recall', 'holders in range', 'hit msgs'],
      rows,
      note: 'msgs/query: Query descriptors sent by all peers per query; a full flood over E edges costs exactly 2E-(N-1) and at least N-1. dup fraction = duplicate Queries dropped / Queries received. reach = peers that handled the query / (N-1); in range = peers within TTL hops of the origin (BFS on the measured overlay) / (N-1). recall = holders whose hit reached the origin / holders; holders in range likewise by BFS.'
    },
    {
      title: 'warnings and failed dials during the run (top 8 per setting, all peers)',
      columns: ['N', 'deg', 'record', 'count'],
      rows: logs
    }
  ]
  if (stopHangs.length > 0) tables.push({ title: 'swarm stop that did not finish', columns: ['N', 'deg', 'what'], rows: stopHangs })
  if (stragglers.length > 0) {
    tables.push({
      title: 'peers outside the largest overlay component (first 10)',
      columns: ['N', 'deg', 'peer', 'degree', 'libp2p conns', 'known hosts', 'neighbours added', 'lost', 'hello refused', 'send errors'],
      rows: stragglers
    })
  }
  return {
    bench: 'search',
    environment: { ...environment(), transport: 'memory', queriesPerSetting: queries, timeoutMs, formMs, lowWater, wave, loadavg1: Number(loadavg()[0].toFixed(2)) },
    tables,
    ratios
  }
}
