import type { ActorRef } from '../../node/kernel/actor.ts'
import type { Guid } from './guid.ts'
import type { FloodHit, NeighbourInfo, RouteInfo, SearchActorMsg, SearchRequest, SearchStats } from './actor.ts'
import { HitStream } from './hit-stream.ts'
import type { QueryFilters } from './messages.ts'

export interface SearchOptions {
  /** Hops the query may travel (default config search.defaultTtl, clamped to search.maxTtl). */
  ttl?: number
  /** Results stream until this deadline (default config search.defaultTimeoutMs). */
  timeoutMs?: number
  filters?: QueryFilters
}

/** The programmatic search API ('search' in the service registry), a thin wrapper over the actor. */
export class SearchApi {
  private readonly ref: ActorRef<SearchActorMsg>

  constructor (ref: ActorRef<SearchActorMsg>) {
    this.ref = ref
  }

  /**
   * Flood a query; hits stream as they arrive and the stream ends at the deadline.
   * Breaking out of the loop early cancels the search. Bad words or options reject the
   * first `next()` with a SearchError.
   */
  search (words: string | string[], opts: SearchOptions = {}): AsyncIterable<FloodHit> {
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
