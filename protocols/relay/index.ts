import type { SectionValue } from '../../config/schema.ts'
import type { Catalog, NatHost, SharedFileInfo } from '../../node/contracts.ts'
import type { ProtocolModule } from '../../node/plugin.ts'
import { floodSearch } from '../flood-search/actor.ts'
import { SearchApi } from '../flood-search/api.ts'
import { DEFAULT_SEARCH_TIMEOUT_MS } from '../flood-search/constants.ts'
import { queryKeywords } from '../flood-search/matcher.ts'
import { relayActor } from './actor.ts'
import { RelayApi } from './api.ts'
import type { relaySection } from './config.ts'
import { RelayError } from './errors.ts'
import { relayWire } from './messages.ts'
import { TierView, tierSearchConfig, tierSearchWire } from './tier.ts'

export type RelayConfig = SectionValue<typeof relaySection>
export { RelayApi } from './api.ts'

export const RELAY_ACTOR = 'relay'
/** The supernode tier's flood search (a second flood-search actor on its own protocol). */
export const TIER_SEARCH_ACTOR = 'relay-tier-search'

/**
 * The supernode layer as a protocol module. The host's NatHost (reservations, reachability)
 * is service 'nat' (absent in the simulator: roles come from config); the peer's name and
 * signer come from the install context; the chunk catalogue is looked up per upload, so
 * one installed later is seen.
 *
 * Tier search is flood search itself: a second flood-search actor whose neighbours are
 * the connected supernodes (the relay actor keeps that list) and which answers for the
 * group index, each child's files as a hit naming that child.
 */
export const relayModule: ProtocolModule<RelayApi, RelayConfig> = {
  name: 'relay',
  install (ctx) {
    const cfg = ctx.config
    const nat = ctx.services.get<NatHost>('nat')
    const catalog: Catalog = {
      listShared: async (): Promise<SharedFileInfo[]> => {
        const c = ctx.services.get<Partial<Catalog>>('chunks')
        return typeof c?.listShared === 'function' ? await c.listShared() : []
      }
    }
    const tier = new TierView()
    let tierApi: SearchApi | undefined
    const ref = ctx.system.spawn({
      name: RELAY_ACTOR,
      wire: relayWire,
      factory: relayActor({
        settings: cfg,
        name: ctx.peerName ?? '',
        catalog,
        tier,
        tierSearch: () => tierApi,
        ...(nat !== undefined ? { nat } : {}),
        ...(ctx.signer !== undefined ? { signer: ctx.signer } : {})
      })
    })
    const api = new RelayApi(ref, cfg.tierQueryTimeoutMs * (cfg.tierTtl + 3), () => tierApi)
    const tierRef = ctx.system.spawn({
      name: TIER_SEARCH_ACTOR,
      wire: tierSearchWire,
      factory: floodSearch({ config: tierSearchConfig(cfg.tierTtl), neighbourSource: () => tier.peers(), holders: async () => await api.holders() })
    })
    tierApi = new SearchApi(tierRef)
    return api
  },
  control: {
    /** params: { name: string } */
    whereis: async (api, p) => await api.whereis(stringParam(p, 'name')),
    /** params: { text: string, limit?: number, timeoutMs?: number } */
    search: async (api, p) => {
      const keywords = queryKeywords(stringParam(p, 'text'))
      const timeoutMs = typeof p.timeoutMs === 'number' ? p.timeoutMs : DEFAULT_SEARCH_TIMEOUT_MS
      return (await api.search({ keywords, timeoutMs, ...(typeof p.limit === 'number' ? { limit: p.limit } : {}) })).hits
    },
    status: async (api) => await api.status(),
    tierStats: async (api) => await api.tierStats() ?? null
  }
}

function stringParam (p: Record<string, unknown>, field: string): string {
  const v = p[field]
  if (typeof v !== 'string' || v === '') throw new RelayError('bad-request', `params.${field} must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`, { field })
  return v
}
