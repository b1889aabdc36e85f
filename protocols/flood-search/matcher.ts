import type { SharedFileInfo } from '../../node/contracts.ts'
import { MAX_KEYWORD_BYTES, MAX_KEYWORDS } from './constants.ts'
import type { QueryFilters } from './messages.ts'

/**
 * Case-insensitive tokens: runs of letters and digits in any script, lower-cased
 * ("Ubuntu-24.04_Desktop.iso" -> ubuntu, 24, 04, desktop, iso). Names and tags are matched
 * on these, so punctuation and case never matter.
 */
export function tokenize (s: string): string[] {
  return s.toLowerCase().normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter(t => t.length > 0)
}

const utf8 = new TextEncoder()

/** Keywords of a query typed by a person: tokenized, de-duplicated, capped to the wire limits. */
export function queryKeywords (words: string | string[]): string[] {
  const raw = Array.isArray(words) ? words.join(' ') : words
  const out: string[] = []
  for (const t of tokenize(raw)) {
    if (out.includes(t) || utf8.encode(t).length > MAX_KEYWORD_BYTES) continue
    out.push(t)
    if (out.length === MAX_KEYWORDS) break
  }
  return out
}

/** A file matches when every keyword is one of its name's or tags' tokens (Gnutella's AND). */
export function matches (file: SharedFileInfo, keywords: readonly string[], filters: QueryFilters = {}): boolean {
  if (keywords.length === 0) return false
  if (filters.minSize !== undefined && file.size < filters.minSize) return false
  if (filters.maxSize !== undefined && file.size > filters.maxSize) return false
  const tokens = new Set(tokenize(file.name))
  for (const tag of file.tags ?? []) for (const t of tokenize(tag)) tokens.add(t)
  return keywords.every(k => tokens.has(k.toLowerCase()))
}

/** The matching files, at most `limit`. */
export function matchFiles (files: readonly SharedFileInfo[], keywords: readonly string[], filters: QueryFilters, limit: number): SharedFileInfo[] {
  const out: SharedFileInfo[] = []
  for (const f of files) {
    if (out.length >= limit) break
    if (matches(f, keywords, filters)) out.push(f)
  }
  return out
}
