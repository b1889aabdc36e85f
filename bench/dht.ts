/**
 * `npm run bench -- dht [--libp2p 16,64] [--sim 16,64,256] [--lookups 1000] [--churn-rounds 10] [--seed n]`
 *
 * Chord over real libp2p peers on the memory transport (wall-clock figures) and the same
 * actor on the simulated network (virtual time, 10 ms one-way links; labelled "sim").
 * Per size: mean and p99 hops over the lookups next to ½·log2 N, lookup latency,
 * stabilization time after one join, and lookup success while 10% of the peers are
 * replaced every stabilization round (simulated only: see the table note).
 */
import { environment, type BenchReport, type BenchTable, type Cell } from './report.ts'
import { createPeer, type RuntimePeer } from '../node/peer.ts'
import { createSwarm, swarmBaseConfig } from '../node/swarm.ts'
import { overlay } from '../config/schema.ts'
import { peerSchema } from '../config/peer-config.ts'
import { SeededRandom } from '../node/ports/random.ts'
import { converged, sortedMembers, trueSuccessor } from '../protocols/dht/invariants.ts'
import type { RingState } from '../protocols/dht/ring.ts'
import type { DhtApi } from '../protocols/dht/api.ts'
import type { PeerKey } from '../node/ports/net.ts'
import { SimRing } from '../test/unit/dht/harness.ts'
import { DHT_TEST_CONFIG, dhtOf, inBatches, states, waitConverged } from '../test/integration/dht/helpers.ts'

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

export async function run (args: string[]): Promise<BenchReport> {
  const seed = Number(flag(args, 'seed', '1'))
  const lookups = Number(flag(args, 'lookups', '1000'))
  const churnRounds = Number(flag(args, 'churn-rounds', '10'))
  const rows: Row[] = []
  for (const n of sizes(flag(args, 'libp2p', '16,64'))) rows.push(await libp2pRun(n, lookups, seed))
  for (const n of sizes(flag(args, 'sim', '16,64,256'))) rows.push(await simRun(n, lookups, churnRounds, seed))
  const table: BenchTable = {
    title: 'Chord lookups (1 = all correct)',
    columns: ['mode', 'N', 'lookups', 'correct', 'mean hops', 'p99 hops', '½·log2 N', 'mean/½log2N', 'target ½log2N+1', 'latency mean ms', 'latency p99 ms', 'stabilize after join ms', 'success @10%/round churn'],
    rows: rows.map(r => [r.mode, r.n, r.lookups, r.correct / r.lookups, r.meanHops, r.p99Hops, 0.5 * Math.log2(r.n), r.meanHops / (0.5 * Math.log2(r.n)), r.meanHops <= 0.5 * Math.log2(r.n) + 1 ? 'met' : 'MISSED', r.meanMs, r.p99Ms, r.stabilizeMs, r.churnSuccess] as Cell[]),
    note: 'libp2p-memory: real libp2p peers in one process, wall-clock ms on a shared 2-core machine. sim: the same actor on SimNetwork, virtual ms with 10 ms one-way links. ' +
      'Churn (sim only): every stabilization round 10% of the peers crash and as many join; success = lookups that returned the true successor of the membership at their start or end.'
  }
  const ratios: Record<string, number> = {}
  for (const r of rows) {
    ratios[`${r.mode}.${r.n}.hops.mean_over_half_log2n`] = r.meanHops / (0.5 * Math.log2(r.n))
    ratios[`${r.mode}.${r.n}.correct`] = r.correct / r.lookups
    if (r.churnSuccess !== null) ratios[`${r.mode}.${r.n}.churn.success`] = r.churnSuccess
  }
  return { bench: 'dht', environment: { ...environment(), seed, lookups }, tables: [table], ratios }
}

async function libp2pRun (n: number, lookups: number, seed: number): Promise<Row> {
  const swarm = await createSwarm({ size: n - 1, transport: 'memory', config: DHT_TEST_CONFIG, startConcurrency: 8 })
  const extra: RuntimePeer[] = []
  try {
    const all = swarm.all()
    const boot = all[0]
    for (const p of all.slice(1)) await dhtOf(p).join([boot.id]).catch(() => {})
    const space = dhtOf(boot).space
    const problems = await waitConverged(all, space, 4, 120_000)
    if (problems.length > 0) throw new Error(`libp2p ring of ${n} did not converge: ${problems.slice(0, 3).join('; ')}`)
    await new Promise(resolve => setTimeout(resolve, 3_000)) // fix-finger rounds
    const members = sortedMembers([...(await states(all)).values()].map(s => s.self))
    const rnd = new SeededRandom(seed)
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
    // Stabilization after one join: from the join call until the ring is ideal again.
    const cfg = overlay(peerSchema, swarmBaseConfig('memory'), { ...DHT_TEST_CONFIG, net: { ...DHT_TEST_CONFIG.net, bootstrap: boot.multiaddrs() } }, 'bench')
    const joiner = await createPeer(cfg, { store: 'memory' })
    extra.push(joiner)
    const t0 = performance.now()
    await dhtOf(joiner).join(boot.multiaddrs())
    const left = await waitConverged([...all, joiner], space, 4, 60_000)
    const stabilizeMs = left.length === 0 ? performance.now() - t0 : null
    return { mode: 'libp2p-memory', n, lookups, correct, meanHops: mean(hops), p99Hops: pct(hops, 0.99), meanMs: mean(ms), p99Ms: pct(ms, 0.99), stabilizeMs, churnSuccess: null }
  } finally {
    await Promise.all(extra.map(async p => { await p.stop() }))
    await swarm.stop()
  }
}

async function simRun (n: number, lookups: number, churnRounds: number, seed: number): Promise<Row> {
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
  const churnSuccess = await simChurn(ring, rnd, churnRounds, stabilize, first.name, name)
  return { mode: 'sim', n, lookups, correct, meanHops: mean(hops), p99Hops: pct(hops, 0.99), meanMs: mean(ms), p99Ms: pct(ms, 0.99), stabilizeMs, churnSuccess }
}

/** Every stabilization round, 10% of the peers crash and as many join; lookups run throughout. */
async function simChurn (ring: SimRing, rnd: SeededRandom, rounds: number, stabilize: number, keep: string, name: () => string): Promise<number> {
  const truth = async (): Promise<ReturnType<typeof sortedMembers>> => {
    const s = new Map<PeerKey, RingState>()
    for (const m of ring.members.values()) s.set(m.host.self, (await m.api.ring()).ring)
    return sortedMembers([...s.values()].map(x => x.self))
  }
  let ok = 0
  let total = 0
  for (let round = 0; round < rounds; round++) {
    const n = ring.members.size
    const k = Math.max(1, Math.round(n / 10))
    const victims = rnd.shuffle([...ring.members.keys()].filter(x => x !== keep)).slice(0, k)
    for (const v of victims) await ring.kill(v)
    const before = await truth()
    const joins = Array.from({ length: k }, () => name())
    for (const j of joins) await ring.start(j)
    const apis: Array<[string, DhtApi]> = [...ring.members.entries()].filter(([x]) => !joins.includes(x)).map(([x, m]) => [x, m.api])
    const results: Array<{ key: string, peer: string | undefined, api: DhtApi }> = []
    const work = Promise.all([
      ...joins.map(async j => { await ring.members.get(j)?.api.join([keep]).catch(() => {}) }),
      ...Array.from({ length: 30 }, async (_, i) => {
        const [, api] = apis[rnd.int(apis.length)]
        const key = `churn-${round}-${i}-${rnd.int(1e9)}`
        try { results.push({ key, peer: (await api.findSuccessor(key)).peer, api }) } catch { results.push({ key, peer: undefined, api }) }
      })
    ])
    await ring.drive(work, 30_000)
    await ring.clock.advance(stabilize)
    const after = await truth()
    for (const res of results) {
      total++
      const id = res.api.idOf(res.key)
      if (res.peer !== undefined && (res.peer === trueSuccessor(ring.space, before, id).peer || res.peer === trueSuccessor(ring.space, after, id).peer)) ok++
    }
  }
  return total === 0 ? 0 : ok / total
}
