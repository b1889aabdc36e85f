import { bool } from '../../config/schema.ts'

/** The `search` config section. (Stub: the protocol's owner fills in its fields.) */
export const searchSection = {
  enabled: bool({ default: true, doc: 'Run the search protocol on this peer.' })
}
