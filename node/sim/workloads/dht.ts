import type { ProtocolModule } from '../../plugin.ts'
import { dhtModule, type DhtApi } from '../../../protocols/dht/index.ts'
import { hashId, ringSpace, type RingId } from '../../../protocols/dht/ids.ts'
import type { RunContext, Workload } from '../workload.ts'

/** Virtual time after the last join before lookups start: stabilisation and fingers settle. */
export const DHT_DEFAULT_SETTLE_MS = 60_000
/** Lookups per second of virtual time when the scenario does not say. */
export const DHT_DEFAULT_LOOKUPS_PER_SECOND = 100

/**
 * Chord lookups: peers join (each dials a few running peers; the DHT joins through them),
 * then `lookups` findSuccessor calls for random keys from random running peers. Each
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
    onStart () {},
    done: () => issued === total && answered + failed === total,
    summary: () => {
      const n = [...hops].reduce((a, [h, c]) => a + h * c, 0)
      return {
        hops: Object.fromEntries([...hops].sort((a, b) => a[0] - b[0])),
        lookups: issued,
        answered,
        correct,
        failed,
        meanHops: answered === 0 ? null : n / answered
      }
    }
  }

  function lookup (run: RunContext): void {
    issued++
    const running = run.running()
    const from = run.random.pick(running)
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

  /** The oracle: the first running member clockwise from the key's id. */
  function trueSuccessor (run: RunContext, key: string): string | undefined {
    const space = ringSpace(bits)
    const k = hashId(space, key)
    let best: { id: RingId, peer: string } | undefined
    let lowest: { id: RingId, peer: string } | undefined
    for (const r of run.running()) {
      const id = hashId(space, r.id)
      if (lowest === undefined || id < lowest.id) lowest = { id, peer: r.id }
      if (id >= k && (best === undefined || id < best.id)) best = { id, peer: r.id }
    }
    return (best ?? lowest)?.peer
  }
}
