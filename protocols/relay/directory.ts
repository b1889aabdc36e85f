import type { PeerKey } from '../../node/ports/net.ts'
import type { WireEntry } from './messages.ts'

/**
 * The name directory a supernode holds: user name -> the peer key that owns it and its
 * current addresses. A name belongs to the first key that claims it (bound to that key:
 * only a claim arriving over a connection authenticated as that peer can create or
 * refresh it) until its entry expires. Pure functions of (directory, input, now).
 */
export interface DirEntry {
  name: string
  peer: PeerKey
  addrs: string[]
  claimedAt: number
  expiresAt: number
}

export type Directory = Map<string, DirEntry>

export type ClaimResult =
  | { kind: 'claimed', entry: DirEntry }
  | { kind: 'refreshed', entry: DirEntry }
  | { kind: 'taken', owner: PeerKey }

/** A child's claim, arriving from `peer` itself. */
export function claim (dir: Directory, name: string, peer: PeerKey, addrs: string[], now: number, ttlMs: number): ClaimResult {
  const key = name.toLowerCase()
  const cur = dir.get(key)
  if (cur !== undefined && cur.expiresAt > now && cur.peer !== peer) return { kind: 'taken', owner: cur.peer }
  const same = cur !== undefined && cur.expiresAt > now
  const entry: DirEntry = { name, peer, addrs, claimedAt: same ? cur.claimedAt : now, expiresAt: now + ttlMs }
  dir.set(key, entry)
  return same ? { kind: 'refreshed', entry } : { kind: 'claimed', entry }
}

/**
 * Two live entries for one name from different keys (rival claims accepted concurrently
 * on two supernodes): the older claim wins, ties to the smaller key, so every supernode
 * settles on the same owner whatever order replication arrives in.
 */
export function wins (a: Pick<DirEntry, 'claimedAt' | 'peer'>, b: Pick<DirEntry, 'claimedAt' | 'peer'>): boolean {
  return a.claimedAt < b.claimedAt || (a.claimedAt === b.claimedAt && a.peer < b.peer)
}

/** Merge entries replicated by another supernode; returns the ones that changed ours. */
export function merge (dir: Directory, entries: WireEntry[], now: number, maxTtlMs: number): DirEntry[] {
  const changed: DirEntry[] = []
  for (const e of entries) {
    if (e.ttlMs <= 0) continue
    const key = e.name.toLowerCase()
    const incoming: DirEntry = { name: e.name, peer: e.peer, addrs: e.addrs, claimedAt: e.claimedAt, expiresAt: now + Math.min(e.ttlMs, maxTtlMs) }
    const cur = dir.get(key)
    if (cur === undefined || cur.expiresAt <= now) {
      dir.set(key, incoming); changed.push(incoming); continue
    }
    if (cur.peer === e.peer) {
      if (incoming.expiresAt > cur.expiresAt || !sameAddrs(cur.addrs, incoming.addrs)) {
        const next = { ...cur, addrs: incoming.addrs, expiresAt: Math.max(cur.expiresAt, incoming.expiresAt), claimedAt: Math.min(cur.claimedAt, incoming.claimedAt) }
        dir.set(key, next); changed.push(next)
      }
      continue
    }
    if (wins(incoming, cur)) { dir.set(key, incoming); changed.push(incoming) }
  }
  return changed
}

export function lookup (dir: Directory, name: string, now: number): DirEntry | undefined {
  const e = dir.get(name.toLowerCase())
  return e !== undefined && e.expiresAt > now ? e : undefined
}

export function expire (dir: Directory, now: number): number {
  let n = 0
  for (const [k, e] of dir) if (e.expiresAt <= now) { dir.delete(k); n++ }
  return n
}

export function toWire (e: DirEntry, now: number): WireEntry {
  return { name: e.name, peer: e.peer, addrs: e.addrs, claimedAt: e.claimedAt, ttlMs: Math.max(0, e.expiresAt - now) }
}

function sameAddrs (a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
