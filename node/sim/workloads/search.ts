import type { Catalog, SharedFileInfo } from '../../contracts.ts'
import type { ProtocolModule } from '../../plugin.ts'
import { searchModule, type SearchApi } from '../../../protocols/flood-search/index.ts'
import type { PeerRecord, RunContext, Workload } from '../workload.ts'

/** Defaults of the search workload when the scenario leaves them out. */
export const SEARCH_DEFAULT_TTLS = [1, 2, 3, 4, 5]
export const SEARCH_DEFAULT_FILES_PER_PEER = 3
export const SEARCH_DEFAULT_TITLES = 200
/** Virtual time after the last join before the first query: the overlay forms meanwhile. */
export const SEARCH_SETTLE_MS = 20_000
/** Gap between queries, so the per-neighbour query rate limit is not what is measured. */
export const SEARCH_QUERY_GAP_MS = 250

/**
 * Flood search over a static catalogue: each peer shares a few random titles through a
 * minimal 'chunks' Catalog (the contract search reads; no chunk exchange runs), queries
 * for known titles go out at each TTL from random peers, and recall is the share of the
 * running peers holding that title that answered.
 */
export function searchWorkload (): Workload {
  const shared = new Map<string, string[]>()
  const recall = new Map<number, { sum: number, n: number }>()
  let outstanding = 0
  let issued = 0
  let total = 0
  return {
    name: 'search',
    modules: (): ReadonlyArray<ProtocolModule<any, any>> => [catalogModule(shared), searchModule],
    setup (run) {
      const spec = run.scenario.search ?? { queries: 50 }
      const titles = spec.titles ?? SEARCH_DEFAULT_TITLES
      const per = spec.filesPerPeer ?? SEARCH_DEFAULT_FILES_PER_PEER
      for (const id of run.peers.keys()) {
        const mine = new Set<string>()
        while (mine.size < Math.min(per, titles)) mine.add(`title${run.random.int(titles)}`)
        shared.set(id, [...mine].sort())
      }
      const ttls = spec.ttls ?? SEARCH_DEFAULT_TTLS
      total = spec.queries * ttls.length
      const lastJoin = Math.max(0, ...[...run.peers.values()].map(r => r.joinAt))
      let at = lastJoin + SEARCH_SETTLE_MS
      for (let q = 0; q < spec.queries; q++) {
        for (const ttl of ttls) {
          run.clock.setTimer(at, () => { query(run, ttl) })
          at += SEARCH_QUERY_GAP_MS
        }
      }
    },
    onStart () {},
    done: () => issued === total && outstanding === 0,
    summary: () => ({
      recallByTtl: Object.fromEntries([...recall].sort((a, b) => a[0] - b[0]).map(([ttl, r]) => [ttl, r.sum / Math.max(1, r.n)])),
      queries: issued
    })
  }

  function query (run: RunContext, ttl: number): void {
    const running = run.running()
    const from = run.random.pick(running)
    issued++
    if (from?.peer === undefined) return
    const title = run.random.pick(shared.get(run.random.pick(running)?.id ?? '') ?? []) ?? 'title0'
    const holders = new Set(running.filter(r => r !== from && shared.get(r.id)?.includes(title) === true).map(r => r.id))
    const api = from.peer.services.get<SearchApi>('search')
    if (api === undefined || holders.size === 0) return
    outstanding++
    void (async () => {
      const seen = new Set<string>()
      try {
        for await (const hit of api.search(title, { ttl })) if (holders.has(hit.peer)) seen.add(hit.peer)
      } catch (err) {
        run.note('search-error', from.id, { message: (err as Error).message.slice(0, 120) })
      }
      const r = recall.get(ttl) ?? { sum: 0, n: 0 }
      r.sum += seen.size / holders.size
      r.n++
      recall.set(ttl, r)
      bump(from, 'queries')
      outstanding--
    })()
  }
}

function bump (r: PeerRecord, k: string): void {
  r.figures[k] = (r.figures[k] ?? 0) + 1
}

/** The Catalog contract on a fixed list of titles (a stand-in for what a peer shares). */
function catalogModule (shared: Map<string, string[]>): ProtocolModule<Catalog, unknown> {
  return {
    name: 'chunks',
    install: (ctx) => ({
      listShared: async (): Promise<SharedFileInfo[]> => (shared.get(ctx.self) ?? []).map(t => ({ link: `sim-${t}`, name: `${t}.bin`, size: 1024, tags: [t] }))
    })
  }
}
