import type { SharedFileInfo } from '../../node/contracts.ts'
import type { PeerKey } from '../../node/ports/net.ts'
import type { Holder } from '../flood-search/actor.ts'
import { matchFiles } from '../flood-search/matcher.ts'
import type { TierHit } from './messages.ts'

/**
 * A group leader's content index (KaZaA): the descriptors its children uploaded, keyed
 * by child. Matching is flood search's own (matcher.ts), so a file is found by the same
 * words whether it is searched for in the overlay or through the supernode tier.
 */
export interface ChildFiles {
  files: SharedFileInfo[]
  addrs: string[]
  expiresAt: number
}

export type ContentIndex = Map<PeerKey, ChildFiles>

/** The live index as flood search's holders (the tier actor answers for each of them). */
export function holders (index: ContentIndex, now: number): Holder[] {
  const out: Holder[] = []
  for (const [peer, c] of index) if (c.expiresAt > now && c.files.length > 0) out.push({ peer, addrs: c.addrs, files: c.files })
  return out
}

/** Hits among `groups` for `keywords`, at most `limit`, in holder-then-file order; 0 hops (answered here). */
export function searchHolders (groups: readonly Holder[], keywords: readonly string[], limit: number): TierHit[] {
  const out: TierHit[] = []
  for (const g of groups) {
    for (const file of matchFiles(g.files, keywords, {}, limit - out.length)) out.push({ file, peer: g.peer, addrs: g.addrs, hops: 0 })
    if (out.length >= limit) break
  }
  return out
}

/** Merge hit lists, dropping duplicates (same holder, same link) and capping the total. */
export function mergeHits (lists: TierHit[][], limit: number): TierHit[] {
  const seen = new Set<string>()
  const out: TierHit[] = []
  for (const list of lists) {
    for (const h of list) {
      const k = `${h.peer}|${h.file.link}`
      if (seen.has(k)) continue
      seen.add(k)
      out.push(h)
      if (out.length >= limit) return out
    }
  }
  return out
}

export function expireIndex (index: ContentIndex, now: number): number {
  let n = 0
  for (const [p, c] of index) if (c.expiresAt <= now) { index.delete(p); n++ }
  return n
}
