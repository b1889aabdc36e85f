import type { ActorComponents, Reply } from '../../node/kernel/actor.ts'
import type { NetEvent, PeerKey } from '../../node/ports/net.ts'
import type { ProtocolModule } from '../../node/plugin.ts'
import { putJson, getJson } from '../../node/ports/store.ts'
import type { WireProtocol } from '../../node/wire/codec.ts'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import { WireError } from '../../node/errors.ts'

/**
 * A tiny test-only protocol to exercise the simulator engine before the real protocols
 * land: a peer serves `blocks` blocks of `blockSize` bytes; a fetcher pulls them from one
 * peer with a window of outstanding requests and records its progress in its store.
 *
 *   get:   u8 0, varint index
 *   block: u8 1, varint index, bytes data
 */
export type Blob = { t: 'get', index: number } | { t: 'block', index: number, data: Uint8Array }

export const blobWire: WireProtocol<Blob> = {
  id: '/peerhive/test-blob/1.0.0',
  maxMessageBytes: 70_000,
  codec: {
    encode: (m) => m.t === 'get'
      ? new ByteWriter().u8(0).varint(m.index).finish()
      : new ByteWriter(m.data.length + 16).u8(1).varint(m.index).bytes(m.data).finish(),
    decode: (b) => {
      const r = new ByteReader(b, 'blob')
      const tag = r.u8('tag')
      if (tag === 0) { const index = r.varint('index'); r.end(); return { t: 'get', index } }
      if (tag === 1) { const index = r.varint('index'); const data = r.bytes('data', 65_536); r.end(); return { t: 'block', index, data } }
      throw new WireError('unknown-type', `blob tag ${tag}`)
    }
  }
}

export interface BlobConfig { enabled: boolean, blocks: number, blockSize: number, window: number }

type Cmd =
  | { type: 'fetch', from: PeerKey, reply: Reply<number> }
  | { type: 'progress', reply: Reply<number> }
  | NetEvent<Blob>

export interface BlobApi {
  /** Fetch every block from `from`; resolves with the virtual time it finished. */
  fetch(from: PeerKey): Promise<number>
  progress(): Promise<number>
}

const blobActor = (cfg: BlobConfig) => (c: ActorComponents<Cmd, Blob>) => {
  let have = 0
  let next = 0
  let waiting: Reply<number> | undefined
  const payload = new Uint8Array(cfg.blockSize)
  const ask = (from: PeerKey): void => {
    while (next < cfg.blocks && next - have < cfg.window) {
      const index = next++
      void c.net.send(from, { t: 'get', index }).catch(() => {})
    }
  }
  return {
    async start () { have = (await getJson<number>(c.store, 'have')) ?? 0; next = have },
    async receive (m: Cmd) {
      switch (m.type) {
        case 'fetch': waiting = m.reply; ask(m.from); break
        case 'progress': m.reply.ok(have); break
        case 'net:message':
          // Not awaited: a send resolves once the uplink takes the frame, and an actor blocked on
          // one peer's send would leave the others' transfers idle.
          if (m.msg.t === 'get') void c.net.send(m.from, { t: 'block', index: m.msg.index, data: payload }).catch(() => {})
          else {
            have++
            await putJson(c.store, 'have', have)
            if (have === cfg.blocks) waiting?.ok(c.clock.now())
            else ask(m.from)
          }
          break
        default: break
      }
    }
  }
}

export function blobModule (cfg: Omit<BlobConfig, 'enabled'>): ProtocolModule<BlobApi, unknown> {
  return {
    name: 'blob',
    install: (ctx) => {
      const ref = ctx.system.spawn<Cmd, Blob>({ name: 'blob', factory: blobActor({ enabled: true, ...cfg }), wire: blobWire })
      return {
        fetch: async (from) => await ref.ask<number>(reply => ({ type: 'fetch', from, reply }), 1e12),
        progress: async () => await ref.ask<number>(reply => ({ type: 'progress', reply }))
      }
    }
  }
}
