import type { PeerKey } from '../../node/ports/net.ts'
import { ADDRESS_INTERN_ENTRIES } from './constants.ts'
import { BoundedMemo } from '../../node/bounded-memo.ts'

/**
 * One shared copy of each peer key and address list the address books of a process hold
 * (a memo of values, so sharing changes nothing but memory). Every decoded routing answer
 * brings fresh strings; kept per book, a 10,000-peer simulation held 2.5 million entries
 * with their own key, array and address string each, and its collector spent a fifth of
 * the run tracing them.
 */
const keys = new BoundedMemo<string, PeerKey>(ADDRESS_INTERN_ENTRIES)
const lists = new BoundedMemo<string, readonly string[]>(ADDRESS_INTERN_ENTRIES)

export function internPeer (peer: PeerKey): PeerKey {
  return keys.get(peer) ?? keys.set(peer, peer)
}

/** A frozen list equal to `addrs`, shared by every caller that passes the same addresses. */
export function internAddrs (addrs: readonly string[]): readonly string[] {
  const key = addrs.length === 1 ? addrs[0] : addrs.join('\n')
  const known = lists.get(key)
  if (known !== undefined && sameList(known, addrs)) return known
  return lists.set(key, Object.freeze([...addrs]))
}

/** Guards against a key collision (an address containing a newline joins like two). */
function sameList (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
