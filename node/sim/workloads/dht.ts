import type { ProtocolModule } from '../../plugin.ts'
import { dhtModule, type DhtApi } from '../../../protocols/dht/index.ts'
import { hashId, ringSpace, type RingId } from '../../../protocols/dht/ids.ts'
import type { RunContext, Workload } from '../workload.ts'

/** Virtual time after the last join before lookups start: stabilisation and fingers settle. */
export const DHT_DEFAULT_SETTLE_MS = 60_000
/** Lookups per second of virtual time when the scenario does not say. */
export const DHT_DEFAULT_LOOKUPS_PER_SECOND = 100
/** Members a joiner tries, one after another, before the run records its join as failed. */
export const DHT_JOIN_ATTEMPTS = 3

/**
 * Chord lookups: each peer joins through one member of the ring, picked at random among
 * the peers whose join has finished (as a real peer joins through its bootstrap peer; the
 * first peer founds the ring), then `lookups` findSuccessor calls for random keys from random running peers. Each
 * answer is checked against the true successor computed from global membership (the
 * oracle), and its hop count goes into the histogram.
 */
export function dhtWorkload (): Workload {
  const hops = new Map<number, number>()
  let issued = 0
  let answered = 0
  let correct = 0
  let failed = 0
  let total = 0
  let bits = 160
  /** Peers whose join finished: the bootstrap candidates for later joiners. */
  const members: string[] = []
  const inRing = new Set<string>()
  let ids: string[] = []
  let sorted: Array<{ id: RingId, peer: string }> = []
  return {
    name: 'dht',
    modules: (): ReadonlyArray<ProtocolModule<any, any>> => [dhtModule],
    config: () => ({ search: { enabled: false }, chunks: { enabled: false }, relay: { enabled: false } }),
    setup (run) {
      const spec = run.scenario.dht ?? { lookups: 100 }
      const cfgBits = (run.scenario.config?.dht as { idBits?: number } | undefined)?.idBits
      if (typeof cfgBits === 'number') bits = cfgBits
      total = spec.lookups
      const lastJoin = Math.max(0, ...[...run.peers.values()].map(r => r.joinAt))
      const start = lastJoin + (spec.settleMs ?? DHT_DEFAULT_SETTLE_MS)
      const gap = 1000 / (spec.perSecond ?? DHT_DEFAULT_LOOKUPS_PER_SECOND)
      for (let i = 0; i < total; i++) run.clock.setTimer(start + i * gap, () => { lookup(run) })
    },
    onStart (rec, run) {
      if (inRing.has(rec.id)) return // a restart rejoins from its stored successors
      if (members.length === 0) { enter(rec.id); return }
      join(rec.id, run, 0)
    },
    done: () => issued === total && answered + failed === total,
    summary: () => {
      const n = [...hops].reduce((a, [h, c]) => a + h * c, 0)
      return {
        hops: Object.fromEntries([...hops].sort((a, b) => a[0] - b[0])),
        lookups: issued,
        answered,
        correct,
        failed,
        meanHops: answered === 0 ? null : n / answered,
        p99Hops: quantileOf(hops, 0.99)
      }
    }
  }

  function enter (id: string): void {
    if (inRing.has(id)) return
    inRing.add(id)
    members.push(id)
  }

  function join (id: string, run: RunContext, attempt: number): void {
    const rec = run.peers.get(id)
    const api = rec?.peer?.services.get<DhtApi>('dht')
    const via = pickRunning(run, members)
    if (api === undefined || via === undefined) { run.note('join-failed', id, { attempt }); return }
    api.join([via]).then(() => { enter(id) }, (err: Error) => {
      if (attempt + 1 < DHT_JOIN_ATTEMPTS && rec?.peer?.state === 'running') join(id, run, attempt + 1)
      else run.note('join-failed', id, { attempt, message: err.message.slice(0, 120) })
    })
  }

  /** A random running peer among `ids`: a few draws, then a scan (a 10,000-peer run must not scan per lookup). */
  function pickRunning (run: RunContext, ids: readonly string[]): string | undefined {
    for (let i = 0; i < 16; i++) {
      const id = run.random.pick(ids)
      if (id === undefined) return undefined
      if (run.peers.get(id)?.peer?.state === 'running') return id
    }
    return run.random.pick(ids.filter(id => run.peers.get(id)?.peer?.state === 'running'))
  }

  function lookup (run: RunContext): void {
    issued++
    const fromId = pickRunning(run, allIds(run))
    const from = fromId !== undefined ? run.peers.get(fromId) : undefined
    const api = from?.peer?.services.get<DhtApi>('dht')
    if (api === undefined) { failed++; return }
    const key = `key-${run.random.int(1 << 30)}`
    api.findSuccessor(key).then(res => {
      answered++
      hops.set(res.hops, (hops.get(res.hops) ?? 0) + 1)
      if (res.peer === trueSuccessor(run, key)) correct++
    }, (err: Error) => {
      failed++
      run.note('lookup-failed', from?.id, { message: err.message.slice(0, 120) })
    })
  }

  function allIds (run: RunContext): string[] {
    if (ids.length !== run.peers.size) ids = [...run.peers.keys()]
    return ids
  }

  /**
   * The oracle: the first running member clockwise from the key's id. Every peer's ring id
   * is hashed once and sorted; a lookup binary-searches the key and skips peers not running.
   */
  function trueSuccessor (run: RunContext, key: string): string | undefined {
    const space = ringSpace(bits)
    if (sorted.length !== run.peers.size) {
      sorted = [...run.peers.keys()].map(peer => ({ id: hashId(space, peer), peer })).sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    }
    const k = hashId(space, key)
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid].id < k) lo = mid + 1
      else hi = mid
    }
    for (let i = 0; i < sorted.length; i++) {
      const cand = sorted[(lo + i) % sorted.length]
      if (run.peers.get(cand.peer)?.peer?.state === 'running') return cand.peer
    }
    return undefined
  }
}

/** The q-quantile of a histogram (value -> count), or null when empty. */
function quantileOf (hist: ReadonlyMap<number, number>, q: number): number | null {
  const total = [...hist.values()].reduce((a, b) => a + b, 0)
  if (total === 0) return null
  let seen = 0
  for (const [v, c] of [...hist].sort((a, b) => a[0] - b[0])) {
    seen += c
    if (seen >= Math.ceil(q * total)) return v
  }
  return null
}
