import { bool } from '../../config/schema.ts'

/** The `relay` config section. (Stub: the protocol's owner fills in its fields.) */
export const relaySection = {
  enabled: bool({ default: true, doc: 'Run the relay protocol on this peer.' })
}
