import type { PeerKey } from '../../node/ports/net.ts'
import { ADDRESS_INTERN_ENTRIES } from './constants.ts'

/**
 * One shared copy of each peer key and address list the address books of a process hold
 * (a memo of values, so sharing changes nothing but memory). Every decoded routing answer
 * brings fresh strings; kept per book, a 10,000-peer simulation held 2.5 million entries
 * with their own key, array and address string each, and its collector spent a fifth of
 * the run tracing them.
 */
const keys = new Map<string, PeerKey>()
const lists = new Map<string, readonly string[]>()

export function internPeer (peer: PeerKey): PeerKey {
  const known = keys.get(peer)
  if (known !== undefined) return known
  if (keys.size >= ADDRESS_INTERN_ENTRIES) keys.clear()
  keys.set(peer, peer)
  return peer
}

/** A frozen list equal to `addrs`, shared by every caller that passes the same addresses. */
export function internAddrs (addrs: readonly string[]): readonly string[] {
  const key = addrs.length === 1 ? addrs[0] : addrs.join('\n')
  const known = lists.get(key)
  if (known !== undefined && sameList(known, addrs)) return known
  if (lists.size >= ADDRESS_INTERN_ENTRIES) lists.clear()
  const list = Object.freeze([...addrs])
  lists.set(key, list)
  return list
}

/** Guards against a key collision (an address containing a newline joins like two). */
function sameList (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
