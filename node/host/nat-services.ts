import type { PeerConfig } from '../../config/peer-config.ts'

/**
 * Extension point for NAT traversal (owned by the relay engineer): the transports and
 * services a peer behind NAT needs (circuit-relay-v2, AutoNAT, DCUtR). The host spreads
 * the result into createLibp2p; empty until the relay protocol fills it.
 */
export interface NatServices {
  transports: any[]
  services: Record<string, any>
}

export function natServices (_config: PeerConfig): NatServices {
  return { transports: [], services: {} }
}
