import { defaults } from '../../config/schema.ts'
import type { PeerKey } from '../../node/ports/net.ts'
import type { WireProtocol } from '../../node/wire/codec.ts'
import type { SearchConfig } from '../flood-search/config.ts'
import { searchSection } from '../flood-search/config.ts'
import { searchWire, type SearchMsg } from '../flood-search/messages.ts'
import { TIER_QUERY_BURST, TIER_QUERY_RATE_PER_SEC, TIER_SEARCH_PROTOCOL_ID } from './constants.ts'

/**
 * The supernode tier as flood search's neighbour set. The relay actor is its only writer
 * (it knows which connected peers are supernodes); the tier's flood-search actor reads it
 * through `neighbourSource`, which must be synchronous. Empty on an ordinary peer, so a
 * child never forwards tier queries.
 */
export class TierView {
  private members: PeerKey[] = []

  set (peers: readonly PeerKey[]): void {
    this.members = [...peers]
  }

  peers (): PeerKey[] {
    return this.members
  }
}

/** Flood search's messages and codec on their own protocol id: a separate overlay. */
export const tierSearchWire: WireProtocol<SearchMsg> = { ...searchWire, id: TIER_SEARCH_PROTOCOL_ID }

/** Flood search's defaults with the tier's TTL and rate limits. */
export function tierSearchConfig (tierTtl: number): SearchConfig {
  const ttl = Math.max(1, tierTtl)
  return { ...defaults({ search: searchSection }).search, defaultTtl: ttl, maxTtl: ttl, queryRatePerSec: TIER_QUERY_RATE_PER_SEC, queryBurst: TIER_QUERY_BURST }
}
