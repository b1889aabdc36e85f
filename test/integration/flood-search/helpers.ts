import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import type { RuntimePeer } from '../../../node/peer.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import type { SearchApi } from '../../../protocols/flood-search/api.ts'
import type { FloodHit } from '../../../protocols/flood-search/actor.ts'
import type { SearchConfig } from '../../../protocols/flood-search/config.ts'

export const searchOf = (p: RuntimePeer): SearchApi => {
  const api = p.services.get<SearchApi>('search')
  if (api === undefined) throw new Error(`peer ${p.id} runs no search module`)
  return api
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Poll `cond` every 100 ms until it holds or `timeoutMs` passes (bounded: at most timeoutMs/100 rounds). */
export async function until (what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const rounds = Math.ceil(timeoutMs / 100)
  for (let i = 0; i < rounds; i++) {
    if (await cond()) return
    await sleep(100)
  }
  if (await cond()) return
  throw new Error(`${what}: not true after ${timeoutMs} ms`)
}

/**
 * A swarm of `total` peers (a bootstrap peer plus total-1) on the memory transport, with
 * search maintenance sped up so joins and repairs happen in seconds. The chunk exchange runs
 * (search answers from its catalogue, and found links must download); DHT and relay stay off:
 * they are not under test and their traffic would only slow 30 peers on 2 cores.
 */
export async function searchSwarm (total: number, search: Partial<SearchConfig> = {}): Promise<Swarm> {
  return await createSwarm({
    size: total - 1,
    transport: 'memory',
    config: {
      dht: { enabled: false },
      relay: { enabled: false },
      chunks: { enabled: true },
      search: { maintainIntervalMs: 200, pingIntervalMs: 1_000, livenessTimeoutMs: 4_000, helloTimeoutMs: 3_000, ...search }
    }
  })
}

/** Wait until every running peer has at least `min` search neighbours. */
export async function overlayReady (peers: RuntimePeer[], min: number, timeoutMs = 30_000): Promise<void> {
  await until(`every peer has ${min} search neighbours`, async () => {
    const ds = await Promise.all(peers.map(async p => (await searchOf(p).neighbours()).length))
    return ds.every(d => d >= min)
  }, timeoutMs)
}

export async function collect (p: RuntimePeer, words: string, opts: { ttl?: number, timeoutMs?: number } = {}): Promise<FloodHit[]> {
  const out: FloodHit[] = []
  for await (const h of searchOf(p).search(words, { timeoutMs: 3_000, ...opts })) out.push(h)
  return out
}

/** The overlay graph as adjacency lists, and BFS distances from one peer. */
export async function overlayGraph (peers: RuntimePeer[]): Promise<Map<PeerKey, PeerKey[]>> {
  const adj = new Map<PeerKey, PeerKey[]>()
  for (const p of peers) adj.set(p.id, (await searchOf(p).neighbours()).map(n => n.peer))
  return adj
}

export function bfs (adj: Map<PeerKey, PeerKey[]>, from: PeerKey): Map<PeerKey, number> {
  const dist = new Map<PeerKey, number>([[from, 0]])
  const queue = [from]
  for (let i = 0; i < queue.length; i++) {
    const x = queue[i]
    for (const y of adj.get(x) ?? []) if (!dist.has(y)) { dist.set(y, (dist.get(x) as number) + 1); queue.push(y) }
  }
  return dist
}

/** The chunk exchange's API as far as these tests need it (structural: no import of its internals). */
export interface ChunksLike {
  shareBytes(name: string, data: Uint8Array): Promise<{ link: unknown, sha256: string }>
  get(link: string): Promise<{ done: Promise<unknown> }>
}

/** The peer's chunk exchange; throws when it does not run (every search swarm runs it, so that is a failure). */
export function chunksOf (p: RuntimePeer): ChunksLike {
  const c = p.services.get<Partial<ChunksLike>>('chunks')
  if (typeof c?.shareBytes !== 'function' || typeof c.get !== 'function') throw new Error(`peer ${p.id} runs no chunk exchange`)
  return c as ChunksLike
}

/** Share a small file named `name` through `p`'s real chunk exchange and return its link. */
export async function shareNamed (p: RuntimePeer, name: string): Promise<string> {
  const r = await chunksOf(p).shareBytes(name, new TextEncoder().encode(`${name} on ${p.id}`))
  return String(r.link)
}
