/**
 * `npm run bench -- dht [--libp2p 16,64,256] [--sim 16,64,256] [--lookups 1000] [--churn-rounds 10] [--seed n]`
 *
 * Chord over real libp2p peers on the memory transport (wall-clock figures) and the same
 * actor on the simulated network (virtual time, 10 ms one-way links; labelled "sim").
 * Per size: mean and p99 hops over the lookups next to ½·log2 N, lookup latency,
 * stabilization time after one join, lookup success while 10% of the peers are replaced
 * every stabilization round, and lookups once the ring has stabilized after that churn.
 * DHT_BENCH_DEBUG=1 prints every churn miss with its timing and the membership it ran in.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import { environment, type BenchReport, type BenchTable, type Cell } from './report.ts'
import { createPeer, type RuntimePeer } from '../node/peer.ts'
import { swarmBaseConfig, type ConfigOverrides } from '../node/swarm.ts'
import { overlay } from '../config/schema.ts'
import { peerSchema, type PeerConfig } from '../config/peer-config.ts'
import { SeededRandom } from '../node/ports/random.ts'
import { converged, oneOrderedRing, ownerDuringJoins, sortedMembers, trueSuccessor } from '../protocols/dht/invariants.ts'
import { distance, type RingSpace } from '../protocols/dht/ids.ts'
import type { NodeRef } from '../protocols/dht/node-ref.ts'
import type { DhtApi } from '../protocols/dht/api.ts'
import type { PeerKey } from '../node/ports/net.ts'
import { SimRing } from '../test/unit/dht/harness.ts'
import { DHT_TEST_CONFIG, dhtOf, inBatches, kill, states, waitConverged, waitFingers } from '../test/integration/dht/helpers.ts'

interface Row {
  mode: 'libp2p-memory' | 'sim'
  n: number
  lookups: number
  correct: number
  meanHops: number
  p99Hops: number
  meanMs: number
  p99Ms: number
  stabilizeMs: number | null
  churnSuccess: number | null
  churnLookups: number
  /** Mean time between churn rounds actually achieved (the loop may lag behind the period). */
  churnEveryMs: number | null
  afterChurn: number | null
  /** Wall-clock seconds this row took (setup included), the load average and event-loop lag p99 beside it. */
  wallS: number
  load: number | null
  lagP99Ms: number | null
  stabilizePeriodMs: number
}

function flag (args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def
}

const sizes = (s: string): number[] => s === '' || s === 'none' ? [] : s.split(',').map(Number).filter(n => Number.isInteger(n) && n >= 2)

function pct (xs: number[], p: number): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]
}

const mean = (xs: number[]): number => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const log = (msg: string): void => { process.stderr.write(`[bench dht ${new Date().toISOString().slice(11, 19)} load ${loadavg()[0].toFixed(1)}] ${msg}\n`) }

/** Lookups run concurrently during each churn round. */
const CHURN_LOOKUPS_PER_ROUND = 30
/** Lookups checked against the final membership once the ring stabilized after the churn. */
const AFTER_CHURN_LOOKUPS = 200

export async function run (args: string[]): Promise<BenchReport> {
  const seed = Number(flag(args, 'seed', '1'))
  const lookups = Number(flag(args, 'lookups', '1000'))
  const churnRounds = Number(flag(args, 'churn-rounds', '10'))
  const rows: Row[] = []
  for (const n of sizes(flag(args, 'libp2p', '16,64,256'))) rows.push(await libp2pRun(n, lookups, churnRounds, seed))
  for (const n of sizes(flag(args, 'sim', '16,64,256'))) rows.push(await simRun(n, lookups, churnRounds, seed))
  const half = (n: number): number => 0.5 * Math.log2(n)
  const table: BenchTable = {
    title: 'Chord lookups (1 = all correct)',
    columns: ['mode', 'N', 'lookups', 'correct', 'mean hops', 'p99 hops', '½·log2 N', 'mean/½log2N', 'target ½log2N+1', 'latency mean ms', 'latency p99 ms', 'stabilize period ms', 'stabilize after join ms', 'churn round every ms', 'success @10%/round churn', 'churn lookups', 'correct after churn', 'row wall s', 'load avg', 'loop lag p99 ms'],
    rows: rows.map(r => [r.mode, r.n, r.lookups, r.correct / r.lookups, r.meanHops, r.p99Hops, half(r.n), r.meanHops / half(r.n), r.meanHops <= half(r.n) + 1 ? 'met' : 'MISSED', r.meanMs, r.p99Ms, r.stabilizePeriodMs, r.stabilizeMs, r.churnEveryMs, r.churnSuccess, r.churnLookups, r.afterChurn, r.wallS, r.load, r.lagP99Ms] as Cell[]),
    note: 'libp2p-memory: real libp2p peers (Noise, Yamux) in one process, DHT only, wall-clock ms on a shared 2-core machine (load average and event-loop lag beside). ' +
      'sim: the same actor on SimNetwork, virtual ms with 10 ms one-way links. ' +
      'Churn: every stabilization period 10% of the peers crash (no goodbye) and as many fresh peers join through the bootstrap peer while lookups run ' +
      '(each round also starts 30 lookups from members; libp2p: rounds on the wall clock, nothing awaited, "churn round every" is the pace achieved; sim: a round\'s joins and lookups run to the end, then one period); ' +
      'success = lookups answering the owner in a membership the ring passed through while they ran (the owner among the peers settled in the ring throughout, or a joiner not yet settled or a crashed peer between the key and it); a wrong or failed lookup counts as a miss. ' +
      '"correct after churn": lookups from random members once the ring re-converged, against the final membership.'
  }
  const ratios: Record<string, number> = {}
  for (const r of rows) {
    ratios[`${r.mode}.${r.n}.hops.mean_over_half_log2n`] = r.meanHops / half(r.n)
    ratios[`${r.mode}.${r.n}.correct`] = r.correct / r.lookups
    if (r.churnSuccess !== null) ratios[`${r.mode}.${r.n}.churn.success`] = r.churnSuccess
    if (r.afterChurn !== null) ratios[`${r.mode}.${r.n}.churn.correct_after`] = r.afterChurn
  }
  return { bench: 'dht', environment: { ...environment(), seed, lookups, churnRounds }, tables: [table], ratios }
}

/**
 * The DHT-only config for a libp2p swarm of `n` peers in one process. Maintenance periods
 * grow with N (the integration tests' periods at 16 peers, 16x slower at 256) so the
 * process's maintenance message rate stays the same at every size: all peers share one
 * event loop, and on this machine a share of two cores.
 * Every peer dials the bootstrap peer, so the connection limit (libp2p refuses inbound
 * connections past maxConnections, which the dialer sees as "stream is closed") must
 * exceed N, and r grows as log2 N.
 */
export function libp2pDhtConfig (n: number): ConfigOverrides {
  const f = Math.max(1, n / 16)
  const d = DHT_TEST_CONFIG.dht ?? {}
  return {
    ...DHT_TEST_CONFIG,
    // A dial is a Noise handshake of several round trips through one busy event loop.
    net: { ...DHT_TEST_CONFIG.net, highWater: Math.max(100, 2 * n), ...(n >= 128 ? { dialTimeoutMs: 30_000 } : {}) },
    dht: {
      ...d,
      successors: Math.max(4, Math.round(Math.log2(n))),
      stabilizeMs: Math.round((d.stabilizeMs ?? 150) * f),
      fixFingersMs: Math.round((d.fixFingersMs ?? 100) * f),
      checkPredecessorMs: Math.round((d.checkPredecessorMs ?? 300) * f),
      pingSuccessorsMs: Math.round((d.pingSuccessorsMs ?? 600) * f),
      repairMs: Math.round((d.repairMs ?? 1_000) * f),
      // Under this machine's load the event loop stalls for seconds at 256 peers: a live
      // peer must not be taken for dead (a crashed one closes its connections, which
      // fails requests at once, so detection does not wait for this deadline).
      rpcTimeoutMs: n >= 128 ? 15_000 : d.rpcTimeoutMs ?? 5_000,
      lookupTimeoutMs: n >= 128 ? 90_000 : d.lookupTimeoutMs ?? 30_000
    }
  }
}

/** Peers started and joined at once while a libp2p ring forms: each start and join costs key generation and a few Noise handshakes. */
const START_CONCURRENCY = 4
/** Join attempts per peer: under heavy load a join's lookup can pass its deadline. */
const JOIN_ATTEMPTS = 5

/**
 * Start `n` peers that dial nobody on their own (no bootstrap list, no connection
 * keeper target) and join each through the first one, a few at a time: 255 peers dialing
 * one bootstrap peer at once cost 255 simultaneous Noise handshakes and identify
 * exchanges, and peers that met each other before the bootstrap answered formed side rings.
 */
async function startRing (n: number, cfg: PeerConfig, started: RuntimePeer[]): Promise<{ failedJoins: number }> {
  const first = await createPeer(structuredClone(cfg), { store: 'memory' })
  started.push(first)
  let failedJoins = 0
  let done = 0
  await inBatches(Array.from({ length: n - 1 }), START_CONCURRENCY, async () => {
    const p = await createPeer(structuredClone(cfg), { store: 'memory' })
    started.push(p)
    for (let a = 1; a <= JOIN_ATTEMPTS; a++) {
      try { await dhtOf(p).join(first.multiaddrs()); break } catch (err) {
        failedJoins++
        if (a === JOIN_ATTEMPTS) throw new Error(`peer ${p.id} could not join after ${a} attempts`, { cause: err })
      }
    }
    if (++done % 64 === 0) log(`  ${done + 1} of ${n} in the ring`)
  })
  return { failedJoins }
}

async function libp2pRun (n: number, lookups: number, churnRounds: number, seed: number): Promise<Row> {
  const t00 = performance.now()
  const lag = monitorEventLoopDelay({ resolution: 20 })
  const cfgOverrides = libp2pDhtConfig(n)
  const dcfg = cfgOverrides.dht ?? {}
  const r = dcfg.successors ?? 4
  const cfg = joinerConfig(cfgOverrides)
  const all: RuntimePeer[] = []
  const extra: RuntimePeer[] = []
  lag.enable()
  try {
    log(`N=${n}: starting and joining ${n} peers (stabilize every ${dcfg.stabilizeMs} ms)`)
    const { failedJoins } = await startRing(n, cfg, all)
    const boot = all[0]
    const space = dhtOf(boot).space
    log(`N=${n}: all joined at ${((performance.now() - t00) / 1000).toFixed(1)} s (${failedJoins} join attempts retried)`)
    const problems = await waitConverged(all, space, r, 300_000)
    if (problems.length > 0) throw new Error(`libp2p ring of ${n} did not converge: ${problems.length} problems, ${problems.slice(0, 3).join('; ')}`)
    const wrong = await waitFingers(all, space, 300_000)
    log(`N=${n}: converged at ${((performance.now() - t00) / 1000).toFixed(1)} s, ${wrong} wrong fingers`)
    const members = sortedMembers([...(await states(all)).values()].map(s => s.self))
    const rnd = new SeededRandom(`${seed}:libp2p:${n}`)
    const hops: number[] = []
    const ms: number[] = []
    let correct = 0
    await inBatches(Array.from({ length: lookups }, (_, i) => `bench-${seed}-${i}-${rnd.int(1e9)}`), 8, async (key) => {
      const api = dhtOf(all[rnd.int(all.length)])
      const t = performance.now()
      const res = await api.findSuccessor(key)
      ms.push(performance.now() - t)
      hops.push(res.hops)
      if (res.peer === trueSuccessor(space, members, api.idOf(key)).peer) correct++
    })
    log(`N=${n}: ${lookups} lookups, ${correct} correct, mean hops ${mean(hops).toFixed(2)}, mean ${mean(ms).toFixed(0)} ms`)
    // Stabilization after one join: from the join call until the ring is ideal again.
    const joiner = await createPeer(structuredClone(cfg), { store: 'memory' })
    extra.push(joiner)
    const t0 = performance.now()
    await dhtOf(joiner).join(boot.multiaddrs())
    const ring = [...all, joiner]
    const left = await waitConverged(ring, space, r, 60_000)
    const stabilizeMs = left.length === 0 ? performance.now() - t0 : null
    log(`N=${n}: stabilized after a join in ${stabilizeMs?.toFixed(0) ?? 'never'} ms; churn`)
    const churn = await libp2pChurn(ring, boot, space, r, dcfg.stabilizeMs ?? 150, churnRounds, rnd, cfg, extra)
    log(`N=${n}: churn success ${churn.success.toFixed(3)}, after ${churn.after?.toFixed(3) ?? '-'}`)
    lag.disable()
    return {
      mode: 'libp2p-memory', n, lookups, correct, meanHops: mean(hops), p99Hops: pct(hops, 0.99), meanMs: mean(ms), p99Ms: pct(ms, 0.99), stabilizeMs,
      churnSuccess: churn.success, churnLookups: churn.total, afterChurn: churn.after, churnEveryMs: churn.periodMs,
      wallS: (performance.now() - t00) / 1000, load: loadavg()[0], lagP99Ms: lag.percentile(99) / 1e6, stabilizePeriodMs: dcfg.stabilizeMs ?? 150
    }
  } finally {
    lag.disable()
    await Promise.all([...all, ...extra].map(async p => { await p.stop().catch(() => {}) }))
  }
}

/** A peer that dials nobody until told to join (no bootstrap list, no connection target): the DHT makes the connections it needs. */
function joinerConfig (o: ConfigOverrides): PeerConfig {
  return overlay(peerSchema, swarmBaseConfig('memory'), { ...o, net: { ...o.net, bootstrap: [], lowWater: 0 } }, 'bench')
}

/**
 * A member's time in the ring: `from` its join call, `settled` one stabilization period
 * after its join returned (until then the ring may rightly route past it), `killed` when
 * its crash began, `until` once its transport had stopped (it answers until then).
 */
interface Presence { node: NodeRef, from: number, settled: number, killed?: number, until?: number }

/**
 * Every stabilization period, on the clock and without waiting for anything, 10% of the
 * members crash (never the bootstrap peer), as many fresh peers start joining through
 * the bootstrap peer, and 30 lookups start from members in the ring. Joiners are started
 * (not joined) beforehand so that rounds follow the period, not peer start-up.
 *
 * A lookup is right when it answers the owner of its key in some membership the ring
 * passed through while it ran: the owner among the peers settled in the ring throughout,
 * or a peer there for part of it (a joiner not yet settled, or a peer that crashed
 * meanwhile) lying between the key and that owner. A lookup whose origin crashed under
 * it is not counted.
 */
async function libp2pChurn (ring: RuntimePeer[], boot: RuntimePeer, space: RingSpace, r: number, period: number, rounds: number, rnd: SeededRandom, cfg: PeerConfig, extra: RuntimePeer[]): Promise<{ success: number, total: number, after: number | null, periodMs: number }> {
  if (rounds <= 0) return { success: 0, total: 0, after: null, periodMs: period }
  const k = Math.max(1, Math.round(ring.length / 10))
  const pool: RuntimePeer[] = []
  await inBatches(Array.from({ length: k * rounds }), 8, async () => {
    const p = await createPeer(structuredClone(cfg), { store: 'memory' })
    extra.push(p)
    pool.push(p)
  })
  const presence = new Map<PeerKey, Presence>()
  for (const n of await idsOf(ring)) presence.set(n.peer, { node: n, from: 0, settled: 0 })
  const poolIds = new Map((await idsOf(pool)).map(n => [n.peer, n]))
  /** Alive (not crashed); `inRing`: alive and joined, the lookup origins. A joiner whose explicit join failed is alive and joins on its own later. */
  let alive = [...ring]
  let inRing = [...ring]
  const pending: Array<Promise<void>> = []
  const results: Array<{ key: string, answer?: PeerKey, error?: string, origin: PeerKey, api: DhtApi, start: number, end: number }> = []
  const lookup = async (key: string): Promise<void> => {
    const from = inRing[rnd.int(inRing.length)]
    const api = dhtOf(from)
    const start = performance.now()
    try {
      const answer = (await api.findSuccessor(key)).peer
      results.push({ key, answer, origin: from.id, api, start, end: performance.now() })
    } catch (err) {
      results.push({ key, error: (err as Error).message, origin: from.id, api, start, end: performance.now() })
    }
  }
  const t0 = performance.now()
  for (let round = 0; round < rounds; round++) {
    await sleep(Math.max(0, t0 + round * period - performance.now()))
    const now = performance.now()
    const victims = rnd.shuffle(alive.filter(p => p !== boot)).slice(0, k)
    for (const v of victims) {
      // Gone once its transport has stopped: until then it still answers, and rightly so.
      const pr = presence.get(v.id)
      if (pr !== undefined) pr.killed = now
      pending.push(kill(v).then(() => { if (pr !== undefined) pr.until = performance.now() }))
    }
    alive = alive.filter(p => !victims.includes(p))
    inRing = inRing.filter(p => !victims.includes(p))
    for (const j of pool.splice(0, k)) {
      const id = poolIds.get(j.id)
      const pr: Presence | undefined = id !== undefined ? { node: id, from: now, settled: Infinity } : undefined
      if (pr !== undefined) presence.set(j.id, pr)
      alive.push(j)
      pending.push(dhtOf(j).join(boot.multiaddrs()).then(() => {
        if (pr !== undefined) pr.settled = performance.now() + period
        if (alive.includes(j)) inRing.push(j)
      }, () => {}))
    }
    for (let i = 0; i < CHURN_LOOKUPS_PER_ROUND; i++) pending.push(lookup(`churn-${round}-${i}-${rnd.int(1e9)}`))
  }
  const periodMs = rounds > 1 ? (performance.now() - t0) / (rounds - 1) : period
  await Promise.all(pending)
  const live = alive
  let ok = 0
  let total = 0
  const misses: string[] = []
  for (const res of results) {
    const origin = presence.get(res.origin)
    if (origin?.killed !== undefined && origin.killed <= res.end) continue
    const throughout: NodeRef[] = []
    const partly = new Map<PeerKey, NodeRef>()
    for (const [peer, pr] of presence) {
      if (pr.from > res.end || (pr.until !== undefined && pr.until < res.start)) continue
      if (pr.settled <= res.start && (pr.until === undefined || pr.until >= res.end)) throughout.push(pr.node)
      else partly.set(peer, pr.node)
    }
    total++
    if (res.answer !== undefined && ownerDuringJoins(space, sortedMembers(throughout), partly, res.api.idOf(res.key), res.answer)) ok++
    else if (misses.length < 5) misses.push(`${res.key}: ${res.answer ?? res.error ?? '?'}`)
    if (process.env.DHT_BENCH_DEBUG !== undefined && res.answer !== undefined && !ownerDuringJoins(space, sortedMembers(throughout), partly, res.api.idOf(res.key), res.answer)) {
      const pr = presence.get(res.answer)
      const owner = trueSuccessor(space, sortedMembers(throughout), res.api.idOf(res.key))
      log(`miss ${res.key} [${(res.start - t0).toFixed(0)}, ${(res.end - t0).toFixed(0)}] answer ${res.answer.slice(-6)} from ${pr === undefined ? 'unknown' : `${(pr.from - t0).toFixed(0)}..${pr.until === undefined ? '' : (pr.until - t0).toFixed(0)}`} owner ${owner.peer.slice(-6)} partly ${[...partly.keys()].map(x => x.slice(-6)).join(',')} d(key,ans)=${String(distance(space, res.api.idOf(res.key), presence.get(res.answer)?.node.id ?? res.api.idOf(res.key)) * 1000n / space.size)} d(key,owner)=${String(distance(space, res.api.idOf(res.key), owner.id) * 1000n / space.size)}`)
    }
  }
  log(`churn: ${rounds} rounds of ${k} out and ${k} in, one every ${periodMs.toFixed(0)} ms (period ${period}); ${total} lookups counted${misses.length > 0 ? `; misses: ${misses.join('; ')}` : ''}`)
  const left = await waitConverged(live, space, r, 300_000)
  if (left.length > 0) {
    const st = await states(live)
    log(`not re-converged after churn: ${left.length} problems over ${live.length} peers (${[...st.values()].filter(x => x.succs.length === 0).length} alone; ${oneOrderedRing(space, st).join('; ') || 'one ordered ring'}), ${left.slice(0, 2).join('; ')}`)
    return { success: total === 0 ? 0 : ok / total, total, after: null, periodMs }
  }
  const members = await idsOf(live)
  let right = 0
  await inBatches(Array.from({ length: AFTER_CHURN_LOOKUPS }, (_, i) => `after-${i}-${rnd.int(1e9)}`), 8, async key => {
    const api = dhtOf(live[rnd.int(live.length)])
    try { if ((await api.findSuccessor(key)).peer === trueSuccessor(space, members, api.idOf(key)).peer) right++ } catch {}
  })
  return { success: total === 0 ? 0 : ok / total, total, after: right / AFTER_CHURN_LOOKUPS, periodMs }
}

async function idsOf (peers: RuntimePeer[]): Promise<NodeRef[]> {
  return sortedMembers((await Promise.all(peers.map(async p => await dhtOf(p).ring()))).map(v => v.ring.self))
}

async function simRun (n: number, lookups: number, churnRounds: number, seed: number): Promise<Row> {
  const t00 = performance.now()
  const stabilize = 200
  const ring = new SimRing(`bench-${seed}-${n}`, {
    successors: 8, replicas: 3, stabilizeMs: stabilize, fixFingersMs: 100, checkPredecessorMs: 400, pingSuccessorsMs: 1_000, repairMs: 5_000, rpcTimeoutMs: 500, lookupTimeoutMs: 5_000
  })
  const r = ring.cfg.successors
  let serial = 0
  const name = (): string => `s${serial++}`
  const first = await ring.start(name())
  for (let i = 1; i < n; i++) {
    const m = await ring.start(name())
    await ring.join(m.name, first.name)
  }
  for (let t = 0; t < 600 && converged(ring.space, await ring.states(), r).length > 0; t++) await ring.clock.advance(stabilize)
  await ring.clock.advance(20 * ring.cfg.fixFingersMs * Math.ceil(Math.log2(n)))
  const rnd = new SeededRandom(`${seed}:sim:${n}`)
  const members = sortedMembers([...(await ring.states()).values()].map(s => s.self))
  const apis = [...ring.members.values()].map(m => m.api)
  const hops: number[] = []
  const ms: number[] = []
  let correct = 0
  for (let i = 0; i < lookups; i += 50) {
    const batch = Array.from({ length: Math.min(50, lookups - i) }, (_, k) => `sim-${i + k}-${rnd.int(1e9)}`)
    await ring.drive(Promise.all(batch.map(async key => {
      const api = apis[rnd.int(apis.length)]
      const t = ring.clock.now()
      const res = await api.findSuccessor(key)
      ms.push(ring.clock.now() - t)
      hops.push(res.hops)
      if (res.peer === trueSuccessor(ring.space, members, api.idOf(key)).peer) correct++
    })))
  }
  // Stabilization after one join, in virtual time.
  const j = await ring.start(name())
  const t0 = ring.clock.now()
  await ring.join(j.name, first.name)
  let stabilizeMs: number | null = null
  for (let t = 0; t < 2_000; t++) {
    if (converged(ring.space, await ring.states(), r).length === 0) { stabilizeMs = ring.clock.now() - t0; break }
    await ring.clock.advance(10)
  }
  const churn = await simChurn(ring, rnd, churnRounds, stabilize, first.name, name)
  return {
    mode: 'sim', n, lookups, correct, meanHops: mean(hops), p99Hops: pct(hops, 0.99), meanMs: mean(ms), p99Ms: pct(ms, 0.99), stabilizeMs,
    churnSuccess: churn.success, churnLookups: churn.total, afterChurn: churn.after, churnEveryMs: stabilize, wallS: (performance.now() - t00) / 1000, load: loadavg()[0], lagP99Ms: null, stabilizePeriodMs: stabilize
  }
}

/** Every stabilization round, 10% of the peers crash and as many join; lookups run throughout. */
async function simChurn (ring: SimRing, rnd: SeededRandom, rounds: number, stabilize: number, keep: string, name: () => string): Promise<{ success: number, total: number, after: number | null }> {
  const idsOfSim = async (names: Iterable<string>): Promise<NodeRef[]> => {
    const out: NodeRef[] = []
    for (const x of names) { const m = ring.members.get(x); if (m !== undefined) out.push((await m.api.ring()).ring.self) }
    return sortedMembers(out)
  }
  let ok = 0
  let total = 0
  for (let round = 0; round < rounds; round++) {
    const n = ring.members.size
    const k = Math.max(1, Math.round(n / 10))
    const victims = rnd.shuffle([...ring.members.keys()].filter(x => x !== keep)).slice(0, k)
    for (const v of victims) await ring.kill(v)
    const survivors = await idsOfSim(ring.members.keys())
    const joins = Array.from({ length: k }, () => name())
    for (const j of joins) await ring.start(j)
    const joinerIds = new Map((await idsOfSim(joins)).map(x => [x.peer, x]))
    const apis: DhtApi[] = [...ring.members.entries()].filter(([x]) => !joins.includes(x)).map(([, m]) => m.api)
    const results: Array<{ key: string, peer: PeerKey | undefined, api: DhtApi }> = []
    const work = Promise.all([
      ...joins.map(async j => { await ring.members.get(j)?.api.join([keep]).catch(() => {}) }),
      ...Array.from({ length: CHURN_LOOKUPS_PER_ROUND }, async (_, i) => {
        const api = apis[rnd.int(apis.length)]
        const key = `churn-${round}-${i}-${rnd.int(1e9)}`
        try { results.push({ key, peer: (await api.findSuccessor(key)).peer, api }) } catch (err) { results.push({ key, peer: undefined, api }); if (process.env.DHT_BENCH_DEBUG !== undefined) log(`sim churn lookup failed: ${(err as Error).message}`) }
      })
    ])
    await ring.drive(work, 30_000)
    await ring.clock.advance(stabilize)
    for (const res of results) {
      total++
      if (res.peer !== undefined && ownerDuringJoins(ring.space, survivors, joinerIds, res.api.idOf(res.key), res.peer)) ok++
      else if (res.peer !== undefined && process.env.DHT_BENCH_DEBUG !== undefined) log(`sim churn wrong answer ${res.peer}, owner ${trueSuccessor(ring.space, survivors, res.api.idOf(res.key)).peer}, victim ${victims.includes(res.peer)}`)
    }
  }
  let after: number | null = null
  for (let t = 0; t < 600; t++) {
    if (converged(ring.space, await ring.states(), ring.cfg.successors).length === 0) {
      const members = await idsOfSim(ring.members.keys())
      const apis = [...ring.members.values()].map(m => m.api)
      let right = 0
      await ring.drive(Promise.all(Array.from({ length: AFTER_CHURN_LOOKUPS }, async (_, i) => {
        const api = apis[rnd.int(apis.length)]
        const key = `after-${i}-${rnd.int(1e9)}`
        try { if ((await api.findSuccessor(key)).peer === trueSuccessor(ring.space, members, api.idOf(key)).peer) right++ } catch {}
      })))
      after = right / AFTER_CHURN_LOOKUPS
      break
    }
    await ring.clock.advance(stabilize)
  }
  return { success: total === 0 ? 0 : ok / total, total, after }
}
