import type { SearchHit, SharedFileInfo } from '../../node/contracts.ts'
import type { PeerKey } from '../../node/ports/net.ts'

/**
 * A group leader's content index (KaZaA): the descriptors its children uploaded, keyed
 * by child. A query matches a file when every query word occurs in its name or tags.
 */
export interface ChildFiles {
  files: SharedFileInfo[]
  addrs: string[]
  expiresAt: number
}

export type ContentIndex = Map<PeerKey, ChildFiles>

export function words (text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(w => w !== '')
}

export function matches (file: SharedFileInfo, queryWords: string[]): boolean {
  if (queryWords.length === 0) return false
  const hay = [file.name, ...(file.tags ?? [])].join(' ').toLowerCase()
  return queryWords.every(w => hay.includes(w))
}

/** Hits from the index, at most `limit`, in child-then-file order (stable for tests). */
export function searchIndex (index: ContentIndex, text: string, limit: number, now: number): SearchHit[] {
  const q = words(text)
  const out: SearchHit[] = []
  for (const [peer, c] of index) {
    if (c.expiresAt <= now) continue
    for (const file of c.files) {
      if (out.length >= limit) return out
      if (matches(file, q)) out.push({ file, peer, addrs: c.addrs })
    }
  }
  return out
}

/** Merge hit lists, dropping duplicates (same holder, same link) and capping the total. */
export function mergeHits (lists: SearchHit[][], limit: number): SearchHit[] {
  const seen = new Set<string>()
  const out: SearchHit[] = []
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
