import type { ProtocolModule } from '../../node/plugin.ts'
import type { SectionValue } from '../../config/schema.ts'
import type { dhtSection } from './config.ts'

export type DhtConfig = SectionValue<typeof dhtSection>

/** Stub module: installs nothing yet. */
export const dhtModule: ProtocolModule<Record<string, never>, DhtConfig> = {
  name: 'dht',
  install: () => ({})
}
