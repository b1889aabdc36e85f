import type { ProtocolModule } from '../../node/plugin.ts'
import type { SectionValue } from '../../config/schema.ts'
import type { relaySection } from './config.ts'

export type RelayConfig = SectionValue<typeof relaySection>

/** Stub module: installs nothing yet. */
export const relayModule: ProtocolModule<Record<string, never>, RelayConfig> = {
  name: 'relay',
  install: () => ({})
}
