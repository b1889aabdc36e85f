import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { PeerKey } from '../ports/net.ts'
import { strikePolicy, type StrikeDecision } from './strike-policy.ts'

/**
 * Strikes and session bans. Shared by the net adapter (which strikes) and the connection
 * gater (which refuses a banned peer on every path: dial, inbound, after encryption).
 */
export class BanList {
  private readonly strikes = new Map<PeerKey, number>()
  private readonly banned = new Map<PeerKey, string>()
  readonly limit: number

  constructor (limit: number) {
    this.limit = limit
  }

  strike (peer: PeerKey): StrikeDecision {
    const d = strikePolicy(this.strikes.get(peer) ?? 0, this.limit, this.banned.has(peer))
    this.strikes.set(peer, d.strikes)
    return d
  }

  ban (peer: PeerKey, reason: string): void {
    this.banned.set(peer, reason)
  }

  isBanned (peer: PeerKey | string): boolean {
    return this.banned.has(peer as PeerKey)
  }

  strikesOf (peer: PeerKey): number {
    return this.strikes.get(peer) ?? 0
  }

  bannedPeers (): Array<{ peer: PeerKey, reason: string }> {
    return [...this.banned].map(([peer, reason]) => ({ peer, reason }))
  }

  gater (): ConnectionGater {
    const refuse = (p: PeerId): boolean => this.banned.has(p.toString() as PeerKey)
    return {
      denyDialPeer: refuse,
      denyInboundEncryptedConnection: refuse,
      denyOutboundEncryptedConnection: refuse,
      denyInboundUpgradedConnection: refuse,
      denyOutboundUpgradedConnection: refuse
    }
  }
}
