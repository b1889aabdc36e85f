import type { SectionValue } from '../../config/schema.ts'
import type { Catalog, NatHost, SharedFileInfo } from '../../node/contracts.ts'
import type { ProtocolModule } from '../../node/plugin.ts'
import { relayActor } from './actor.ts'
import { RelayApi } from './api.ts'
import type { relaySection } from './config.ts'
import { RelayError } from './errors.ts'
import { relayWire } from './messages.ts'

export type RelayConfig = SectionValue<typeof relaySection>
export { RelayApi } from './api.ts'

export const RELAY_ACTOR = 'relay'

/**
 * The supernode layer as a protocol module. The host's NatHost (reservations, reachability)
 * is service 'nat' (absent in the simulator: roles come from config); the peer's name and
 * signer come from the install context; the chunk catalogue is looked up per upload, so
 * one installed later is seen.
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
    const ref = ctx.system.spawn({
      name: RELAY_ACTOR,
      wire: relayWire,
      factory: relayActor({ settings: cfg, name: ctx.peerName ?? '', catalog, ...(nat !== undefined ? { nat } : {}) })
    })
    return new RelayApi(ref, cfg.tierQueryTimeoutMs * (cfg.tierTtl + 3))
  },
  control: {
    /** params: { name: string } */
    whereis: async (api, p) => await api.whereis(stringParam(p, 'name')),
    /** params: { text: string, limit?: number } */
    search: async (api, p) => await api.search(stringParam(p, 'text'), typeof p.limit === 'number' ? p.limit : undefined),
    status: async (api) => await api.status()
  }
}

function stringParam (p: Record<string, unknown>, field: string): string {
  const v = p[field]
  if (typeof v !== 'string' || v === '') throw new RelayError('bad-request', `params.${field} must be a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`, { field })
  return v
}
