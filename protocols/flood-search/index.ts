import type { ProtocolModule } from '../../node/plugin.ts'
import type { Catalog, SharedFileInfo, UpstreamSearch } from '../../node/contracts.ts'
import { ConfigError } from '../../node/errors.ts'
import { floodSearch, type FloodHit } from './actor.ts'
import { SearchApi, type SearchOptions } from './api.ts'
import type { SearchConfig } from './config.ts'
import { SearchError } from './errors.ts'
import { searchWire } from './messages.ts'

export type { SearchConfig } from './config.ts'
export { SearchApi } from './api.ts'
export type { FloodHit, NeighbourInfo, SearchStats, RouteInfo } from './actor.ts'

/** The actor's name (one per peer). */
export const SEARCH_ACTOR = 'search'

/**
 * Flood search as a protocol module: spawns the actor with the search wire protocol; local
 * answers come from the 'chunks' Catalog, looked up per query so a catalogue installed or
 * replaced later is seen.
 */
export const searchModule: ProtocolModule<SearchApi, SearchConfig> = {
  name: 'search',
  install (ctx) {
    const cfg = ctx.config
    if (cfg.targetDegree > cfg.maxDegree) throw new ConfigError('search.targetDegree', `at most search.maxDegree (${cfg.maxDegree})`, cfg.targetDegree)
    const localFiles = async (): Promise<SharedFileInfo[]> => {
      const catalog = ctx.services.get<Partial<Catalog>>('chunks')
      return typeof catalog?.listShared === 'function' ? await catalog.listShared() : []
    }
    const ref = ctx.system.spawn({ name: SEARCH_ACTOR, factory: floodSearch({ config: cfg, localFiles }), wire: searchWire })
    // A peer attached to a supernode searches through it (the relay module, installed
    // later: looked up per search).
    return new SearchApi(ref, {
      upstream: () => {
        const relay = ctx.services.get<Partial<UpstreamSearch>>('relay')
        return typeof relay?.searchesUpstream === 'function' && typeof relay.searchUpstream === 'function' ? relay as UpstreamSearch : undefined
      },
      defaultTimeoutMs: cfg.defaultTimeoutMs,
      onFallback: (err) => { ctx.logger.warn('search through the supernode failed: flooding instead', { error: err.message }) }
    })
  },
  control: {
    /** Streams hits as NDJSON until the deadline. params: { words: string | string[], ttl?, timeoutMs? } */
    query: (api, params) => toJson(api.search(wordsParam(params.words), searchOptions(params))),
    neighbours: async (api) => await api.neighbours(),
    stats: async (api) => await api.stats()
  }
}

function wordsParam (v: unknown): string | string[] {
  if (typeof v === 'string' || (Array.isArray(v) && v.every(w => typeof w === 'string'))) return v
  throw new SearchError('bad-query', `params.words must be a string or a list of strings, got ${JSON.stringify(v) ?? 'nothing'}`, { field: 'words' })
}

function searchOptions (p: Record<string, unknown>): SearchOptions {
  const opts: SearchOptions = {}
  for (const field of ['ttl', 'timeoutMs'] as const) {
    const v = p[field]
    if (v === undefined) continue
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SearchError('bad-option', `params.${field} must be a number, got ${JSON.stringify(v)}`, { field })
    opts[field] = v
  }
  return opts
}

/** A hit as one NDJSON line: flat, only JSON types. */
export interface HitJson {
  name: string
  size: number
  link: string
  tags: string[]
  peer: string
  addrs: string[]
  hops: number
  guid: string
}

export function hitJson (h: FloodHit): HitJson {
  return { name: h.file.name, size: h.file.size, link: h.file.link, tags: h.file.tags ?? [], peer: h.peer, addrs: h.addrs, hops: h.hops, guid: h.guid }
}

async function * toJson (hits: AsyncIterable<FloodHit>): AsyncIterable<HitJson> {
  for await (const h of hits) yield hitJson(h)
}
