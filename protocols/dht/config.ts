import { bool } from '../../config/schema.ts'

/** The `dht` config section. (Stub: the protocol's owner fills in its fields.) */
export const dhtSection = {
  enabled: bool({ default: true, doc: 'Run the dht protocol on this peer.' })
}
