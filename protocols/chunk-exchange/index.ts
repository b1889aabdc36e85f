import type { ProtocolModule } from '../../node/plugin.ts'
import type { SectionValue } from '../../config/schema.ts'
import type { chunksSection } from './config.ts'

export type ChunksConfig = SectionValue<typeof chunksSection>

/** Stub module: installs nothing yet. */
export const chunksModule: ProtocolModule<Record<string, never>, ChunksConfig> = {
  name: 'chunks',
  install: () => ({})
}
