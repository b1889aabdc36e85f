import type { PeerKey } from '../../node/ports/net.ts'
import { internAddrs, internPeer } from './address-intern.ts'

/**
 * Addresses of peers named in routing answers, so a lookup can dial a member it has
 * never met. Bounded: the least recently refreshed entry goes first. Keys and lists are
 * interned (see address-intern.ts): the lists handed out are frozen and shared.
 */
export class AddressBook {
  private readonly map = new Map<PeerKey, readonly string[]>()
  private readonly cap: number

  constructor (cap: number) {
    this.cap = cap
  }

  learn (peer: PeerKey, addrs: readonly string[]): void {
    if (addrs.length === 0) return
    this.map.delete(peer)
    this.map.set(internPeer(peer), internAddrs(addrs))
    if (this.map.size > this.cap) this.map.delete(this.map.keys().next().value as PeerKey)
  }

  get (peer: PeerKey): readonly string[] {
    return this.map.get(peer) ?? []
  }
}
