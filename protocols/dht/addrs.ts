import { MAX_ADDR_BYTES, MAX_ADDRS_PER_PEER } from './constants.ts'

/**
 * Which addresses a peer hands out in its routing and provider records. On a LAN (and in
 * tests on 127.0.0.1) loopback and private addresses are the only ones there are, so
 * 'all' keeps them; 'public' drops them for internet deployments, where they only cost
 * failed dials. Unlike the kad-dht default address mapper, nothing is dropped silently in LAN mode.
 */
export type AddrScope = 'all' | 'public'

export function isPrivateAddr (ma: string): boolean {
  const m4 = /^\/ip4\/(\d+)\.(\d+)\.\d+\.\d+/.exec(ma)
  if (m4 !== null) {
    const a = Number(m4[1]); const b = Number(m4[2])
    return a === 127 || a === 10 || a === 0 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)
  }
  const m6 = /^\/ip6\/([0-9a-f:]+)/i.exec(ma)
  if (m6 !== null) {
    const h = m6[1].toLowerCase()
    return h === '::1' || h === '::' || h.startsWith('fe8') || h.startsWith('fe9') || h.startsWith('fea') || h.startsWith('feb') || h.startsWith('fc') || h.startsWith('fd')
  }
  return false
}

const enc = new TextEncoder()

/** UTF-8 length within the limit; a UTF-16 string encodes to at most 3 bytes per unit, so short ones need no encoding. */
function fits (a: string): boolean {
  return a.length * 3 <= MAX_ADDR_BYTES || enc.encode(a).length <= MAX_ADDR_BYTES
}

/** Addresses fit to share under `scope`, bounded in count and length (called for every peer named on the wire, so no allocation beyond the result). */
export function shareableAddrs (addrs: readonly string[], scope: AddrScope): string[] {
  const out: string[] = []
  for (const a of addrs) {
    if (out.length >= MAX_ADDRS_PER_PEER) break
    if (fits(a) && (scope === 'all' || !isPrivateAddr(a))) out.push(a)
  }
  return out
}

/** A dialable address: with `/p2p/<peer>` appended when missing (simulated addresses as they are). */
export function withPeerId (addr: string, peer: string): string {
  if (addr.startsWith('/sim/') || addr.includes('/p2p/')) return addr
  return `${addr}/p2p/${peer}`
}
