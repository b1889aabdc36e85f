import type { UpstreamSearch } from '../../node/contracts.ts'
import type { ActorRef } from '../../node/kernel/actor.ts'
import { SearchError } from './errors.ts'
import { parseGuid, type Guid } from './guid.ts'
import type { FloodHit, NeighbourInfo, RouteInfo, SearchActorMsg, SearchRequest, SearchStats } from './actor.ts'
import { HitStream } from './hit-stream.ts'
import { queryKeywords } from './matcher.ts'
import type { QueryFilters } from './messages.ts'

export interface SearchOptions {
  /** Hops the query may travel (default config search.defaultTtl, clamped to search.maxTtl). */
  ttl?: number
  /** Results stream until this deadline (default config search.defaultTimeoutMs). */
  timeoutMs?: number
  filters?: QueryFilters
}

/** Where a search goes instead of the overlay, and what to do when that route fails. */
export interface SearchRoute {
  /** The supernode route (the relay module), looked up per search: undefined floods the overlay. */
  upstream: () => UpstreamSearch | undefined
  /** Search timeout when the caller gives none (config search.defaultTimeoutMs). */
  defaultTimeoutMs: number
  /** The route failed and the search falls back to flooding: say why. */
  onFallback: (err: Error) => void
}

/** The programmatic search API ('search' in the service registry), a thin wrapper over the actor. */
export class SearchApi {
  private readonly ref: ActorRef<SearchActorMsg>
  private readonly via?: SearchRoute

  constructor (ref: ActorRef<SearchActorMsg>, route?: SearchRoute) {
    this.ref = ref
    if (route !== undefined) this.via = route
  }

  /**
   * Search: through our supernode when we are attached to one (KaZaA: it answers from its
   * group index and floods among supernodes only), else by flooding the overlay. Hits
   * stream as they arrive and the stream ends at the deadline. Breaking out of the loop
   * early cancels the search. Bad words or options reject the first `next()` with a
   * SearchError.
   */
  search (words: string | string[], opts: SearchOptions = {}): AsyncIterable<FloodHit> {
    const up = this.via?.upstream()
    return up === undefined ? this.flood(words, opts) : this.viaSupernode(up, words, opts)
  }

  private async * viaSupernode (up: UpstreamSearch, words: string | string[], opts: SearchOptions): AsyncIterable<FloodHit> {
    const route = this.via as SearchRoute
    const keywords = queryKeywords(words)
    let answer: Awaited<ReturnType<UpstreamSearch['searchUpstream']>> | undefined
    // Bad words or options fail exactly as a flooded search would (the actor checks them).
    if (keywords.length > 0 && opts.filters === undefined && await up.searchesUpstream()) {
      const timeoutMs = opts.timeoutMs ?? route.defaultTimeoutMs
      if (!(timeoutMs > 0)) throw new SearchError('bad-option', `timeout must be more than 0 ms, got ${timeoutMs}`, { field: 'timeoutMs', value: timeoutMs })
      try {
        answer = await up.searchUpstream(keywords, { timeoutMs, ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}) })
      } catch (err) {
        route.onFallback(err as Error)
      }
    }
    if (answer === undefined) { yield * this.flood(words, opts); return }
    const guid = parseGuid(answer.guid) ?? answer.guid as Guid
    for (const h of answer.hits) yield { file: h.file, peer: h.peer, addrs: h.addrs, hops: h.hops, guid }
  }

  private flood (words: string | string[], opts: SearchOptions): AsyncIterable<FloodHit> {
    const stream = new HitStream<FloodHit>()
    const req: SearchRequest = { words }
    if (opts.ttl !== undefined) req.ttl = opts.ttl
    if (opts.timeoutMs !== undefined) req.timeoutMs = opts.timeoutMs
    if (opts.filters !== undefined) req.filters = opts.filters
    this.ref.ask<Guid>(reply => ({ type: 'search', req, sink: stream, reply })).then(
      guid => { stream.setOnReturn(() => { this.ref.tell({ type: 'cancel', guid }) }) },
      (err: Error) => { stream.end(err) }
    )
    return stream
  }

  async neighbours (): Promise<NeighbourInfo[]> {
    return await this.ref.ask<NeighbourInfo[]>(reply => ({ type: 'neighbours', reply }))
  }

  async stats (): Promise<SearchStats> {
    return await this.ref.ask<SearchStats>(reply => ({ type: 'stats', reply }))
  }

  /** The reverse-path entry this peer holds for a query GUID (undefined: never saw it, or forgot). */
  async route (guid: Guid): Promise<RouteInfo | undefined> {
    return await this.ref.ask<RouteInfo | undefined>(reply => ({ type: 'route', guid, reply }))
  }
}
