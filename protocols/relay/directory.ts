import type { PeerKey } from '../../node/ports/net.ts'
import type { WireEntry } from './messages.ts'

/**
 * The name directory a supernode holds: user name -> the peer key that owns it and its
 * current addresses, with the owner's signature over (name, peer, addrs, issuedAt) so any
 * supernode can check it (claim.ts). A name belongs to the first key that claims it until
 * its entry expires. Pure functions of (directory, input, now); callers verify signatures
 * before calling `claim` or `merge`.
 */
export interface DirEntry {
  name: string
  peer: PeerKey
  addrs: string[]
  /** When a supernode first accepted this key's claim (its clock): breaks ties between rivals. */
  claimedAt: number
  /** The owner's clock when it signed: a newer signed claim replaces the addresses. */
  issuedAt: number
  sig: Uint8Array
  expiresAt: number
}

export type Directory = Map<string, DirEntry>

export type ClaimResult =
  | { kind: 'claimed', entry: DirEntry }
  | { kind: 'refreshed', entry: DirEntry }
  | { kind: 'taken', owner: PeerKey }

export interface VerifiedClaim {
  name: string
  peer: PeerKey
  addrs: string[]
  issuedAt: number
  sig: Uint8Array
}

/** A child's verified claim, arriving from `c.peer` itself. */
export function claim (dir: Directory, c: VerifiedClaim, now: number, ttlMs: number): ClaimResult {
  const key = c.name.toLowerCase()
  const cur = dir.get(key)
  if (cur !== undefined && cur.expiresAt > now && cur.peer !== c.peer) return { kind: 'taken', owner: cur.peer }
  const same = cur !== undefined && cur.expiresAt > now
  // An older signed claim (replayed, or overtaken on the way) keeps the newer addresses.
  const newest = same && cur.issuedAt > c.issuedAt ? cur : c
  const entry: DirEntry = {
    name: c.name, peer: c.peer, addrs: newest.addrs, issuedAt: newest.issuedAt, sig: newest.sig,
    claimedAt: same ? cur.claimedAt : now, expiresAt: now + ttlMs
  }
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

/** Whether an incoming replicated entry is already what we hold (no need to verify it again). */
export function isKnown (dir: Directory, e: WireEntry): boolean {
  const cur = dir.get(e.name.toLowerCase())
  return cur !== undefined && cur.peer === e.peer && cur.issuedAt === e.issuedAt && sameBytes(cur.sig, e.sig) && sameAddrs(cur.addrs, e.addrs)
}

/** Merge verified entries replicated by another supernode; returns the ones that changed ours. */
export function merge (dir: Directory, entries: WireEntry[], now: number, maxTtlMs: number): DirEntry[] {
  const changed: DirEntry[] = []
  for (const e of entries) {
    if (e.ttlMs <= 0) continue
    const key = e.name.toLowerCase()
    const incoming: DirEntry = {
      name: e.name, peer: e.peer, addrs: e.addrs, claimedAt: e.claimedAt, issuedAt: e.issuedAt, sig: e.sig, expiresAt: now + Math.min(e.ttlMs, maxTtlMs)
    }
    const cur = dir.get(key)
    if (cur === undefined || cur.expiresAt <= now) {
      dir.set(key, incoming); changed.push(incoming); continue
    }
    if (cur.peer === e.peer) {
      const newer = incoming.issuedAt > cur.issuedAt
      if (incoming.expiresAt > cur.expiresAt || newer) {
        const src = newer ? incoming : cur
        const next = { ...cur, addrs: src.addrs, issuedAt: src.issuedAt, sig: src.sig, expiresAt: Math.max(cur.expiresAt, incoming.expiresAt), claimedAt: Math.min(cur.claimedAt, incoming.claimedAt) }
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
  return { name: e.name, peer: e.peer, addrs: e.addrs, claimedAt: e.claimedAt, issuedAt: e.issuedAt, sig: e.sig, ttlMs: Math.max(0, e.expiresAt - now) }
}

function sameAddrs (a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/** A directory entry as kept in the store (JSON: the signature as hex). */
export interface StoredEntry extends Omit<DirEntry, 'sig'> { sig: string }

export function toStored (e: DirEntry): StoredEntry {
  return { ...e, sig: Buffer.from(e.sig).toString('hex') }
}

/** Undefined for a record written before claims were signed (or damaged): it is dropped. */
export function fromStored (s: Partial<StoredEntry>): DirEntry | undefined {
  if (typeof s.name !== 'string' || typeof s.peer !== 'string' || !Array.isArray(s.addrs) || typeof s.sig !== 'string' ||
    typeof s.issuedAt !== 'number' || typeof s.claimedAt !== 'number' || typeof s.expiresAt !== 'number') return undefined
  return { name: s.name, peer: s.peer, addrs: s.addrs, claimedAt: s.claimedAt, issuedAt: s.issuedAt, expiresAt: s.expiresAt, sig: Uint8Array.from(Buffer.from(s.sig, 'hex')) }
}
