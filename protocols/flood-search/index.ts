import type { ProtocolModule } from '../../node/plugin.ts'
import type { SectionValue } from '../../config/schema.ts'
import type { searchSection } from './config.ts'

export type SearchConfig = SectionValue<typeof searchSection>

/** Stub module: installs nothing yet. */
export const searchModule: ProtocolModule<Record<string, never>, SearchConfig> = {
  name: 'search',
  install: () => ({})
}
