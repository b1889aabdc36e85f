import type { ProtocolModule } from '../../node/plugin.ts'
import type { SectionValue } from '../../config/schema.ts'
import { ConfigError } from '../../node/errors.ts'
import type { dhtSection } from './config.ts'
import { dht, type DhtInit } from './actor.ts'
import { DhtApi } from './api.ts'
import type { DhtInbox } from './api-types.ts'
import { idToHex, ringSpace } from './ids.ts'
import { dhtWire, type DhtMsg } from './messages.ts'
import { ringJson } from './view.ts'

export type DhtConfig = SectionValue<typeof dhtSection>
export { DhtApi } from './api.ts'

export function dhtInit (cfg: DhtConfig): DhtInit {
  if (cfg.replicas > cfg.successors) throw new ConfigError('dht.replicas', `an integer <= dht.successors (${cfg.successors})`, cfg.replicas)
  const { enabled: _enabled, ...init } = cfg
  return init
}

/** Whole-operation deadline for API asks: a lookup plus a few RPCs. */
function opTimeout (cfg: DhtConfig): number {
  return cfg.lookupTimeoutMs + 4 * cfg.rpcTimeoutMs
}

const text = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw new ConfigError(name, 'a non-empty string', v, 'params')
  return v
}

export const dhtModule: ProtocolModule<DhtApi | undefined, DhtConfig> = {
  name: 'dht',
  install (ctx) {
    if (!ctx.config.enabled) return undefined
    const init = dhtInit(ctx.config)
    const ref = ctx.system.spawn<DhtInbox, DhtMsg>({ name: 'dht', factory: dht(init), wire: dhtWire })
    return new DhtApi(ref, ringSpace(init.idBits), opTimeout(ctx.config))
  },
  control: {
    put: async (api, p) => {
      const res = await need(api).put(text(p.key, 'key'), text(p.value, 'value'))
      return { key: p.key, ...res }
    },
    get: async (api, p) => {
      const res = await need(api).get(text(p.key, 'key'))
      if (!res.found || res.value === undefined) return { key: p.key, found: false, hops: res.hops }
      let value: string
      let encoding = 'utf8'
      try { value = new TextDecoder('utf-8', { fatal: true }).decode(res.value) } catch { value = Buffer.from(res.value).toString('base64'); encoding = 'base64' }
      return { key: p.key, found: true, value, encoding, holder: res.holder, hops: res.hops }
    },
    ring: async (api) => ringJson(await need(api).ring()),
    lookup: async (api, p) => {
      const a = need(api)
      const key = text(p.key, 'key')
      const res = await a.findSuccessor(key)
      return { key, id: idToHex(a.space, a.idOf(key)), peer: res.peer, ownerId: idToHex(a.space, res.id), hops: res.hops }
    }
  }
}

function need (api: DhtApi | undefined): DhtApi {
  if (api === undefined) throw new ConfigError('dht.enabled', 'true to use the DHT', false)
  return api
}
