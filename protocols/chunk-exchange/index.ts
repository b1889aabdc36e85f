import type { ProviderIndex } from '../../node/contracts.ts'
import type { ProtocolModule } from '../../node/plugin.ts'
import { chunkActor, type ChunkActorMsg } from './actor.ts'
import { ChunksApi } from './api.ts'
import type { ChunksConfig } from './config.ts'
import { openOnDisk } from './file-storage.ts'
import type { ChunkMsg } from './messages.ts'
import { chunkWire } from './messages.ts'
import { openInStore } from './storage.ts'

export type { ChunksConfig } from './config.ts'
export { ChunksApi } from './api.ts'
export type { ShareResult, GetOptions, TransferHandle } from './api.ts'
export type { Progress } from './progress.ts'

/** Mailbox room: a busy swarm gets a few thousand frames queued before senders wait. */
const CHUNKS_MAILBOX = 4096

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw new TypeError(`parameter ${name} must be a non-empty string`)
  return v
}

/**
 * The chunk-exchange module: one actor named 'chunks' speaking /peerhive/chunks/3.0.0.
 * On a real peer (a data directory) files are read and written on disk; in the
 * simulator everything lives in the store. Uses the DHT ('dht') as a provider index
 * when one is installed.
 */
export const chunksModule: ProtocolModule<ChunksApi, ChunksConfig> = {
  name: 'chunks',
  install (ctx) {
    const onDisk = ctx.dataDir !== undefined
    const ref = ctx.system.spawn<ChunkActorMsg, ChunkMsg>({
      name: 'chunks',
      wire: chunkWire,
      mailboxCapacity: CHUNKS_MAILBOX,
      factory: chunkActor({
        config: ctx.config,
        openStorage: onDisk ? openOnDisk : openInStore,
        providers: () => {
          const dht = ctx.services.get<Partial<ProviderIndex>>('dht')
          return typeof dht?.provide === 'function' && typeof dht.findProviders === 'function' ? dht as ProviderIndex : undefined
        }
      })
    })
    return new ChunksApi(ref, { chunkSize: ctx.config.chunkSize, onDisk })
  },
  control: {
    share: async (api, p) => await api.share(str(p.path, 'path')),
    get: (api, p) => progressStream(api, str(p.link, 'link'), {
      ...(typeof p.out === 'string' ? { out: p.out } : {}),
      ...(p.outIsDir === true ? { outIsDir: true } : {}),
      seed: p.seed === true
    }),
    status: async (api) => await api.status(),
    list: async (api) => await api.listShared(),
    stop: async (api, p) => ({ stopped: await api.stop(str(p.link, 'link')) })
  }
}

async function * progressStream (api: ChunksApi, link: string, opts: Parameters<ChunksApi['get']>[1]): AsyncIterable<unknown> {
  const h = await api.get(link, opts)
  for await (const p of h.progress) yield p
  yield await h.done
}
