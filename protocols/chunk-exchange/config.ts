import { bool } from '../../config/schema.ts'

/** The `chunks` config section. (Stub: the protocol's owner fills in its fields.) */
export const chunksSection = {
  enabled: bool({ default: true, doc: 'Run the chunks protocol on this peer.' })
}
