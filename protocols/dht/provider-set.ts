import type { PeerKey } from '../../node/ports/net.ts'
import { MAX_PROVIDERS_PER_KEY } from './constants.ts'

/**
 * Provider records held for content links, pure: who has the content, their addresses
 * and when the record expires. Bounded per key (the soonest to expire is evicted).
 */
export interface ProviderEntry {
  peer: PeerKey
  addrs: string[]
  expiresAt: number
}

export type ProviderMap = Map<string, ProviderEntry[]>

export function addProvider (m: ProviderMap, key: string, e: ProviderEntry): void {
  const list = (m.get(key) ?? []).filter(x => x.peer !== e.peer)
  list.push(e)
  list.sort((a, b) => b.expiresAt - a.expiresAt)
  m.set(key, list.slice(0, MAX_PROVIDERS_PER_KEY))
}

/** Live providers of `key`, freshest first. */
export function listProviders (m: ProviderMap, key: string, now: number, limit: number): ProviderEntry[] {
  return (m.get(key) ?? []).filter(e => e.expiresAt > now).slice(0, limit)
}

/** Drop expired records; returns the (key, peer) pairs removed so the store can follow. */
export function pruneProviders (m: ProviderMap, now: number): Array<{ key: string, peer: PeerKey }> {
  const gone: Array<{ key: string, peer: PeerKey }> = []
  for (const [key, list] of m) {
    const live = list.filter(e => e.expiresAt > now)
    for (const e of list) if (e.expiresAt <= now) gone.push({ key, peer: e.peer })
    if (live.length === 0) m.delete(key)
    else if (live.length !== list.length) m.set(key, live)
  }
  return gone
}
