import type { ProtocolModule } from './plugin.ts'
import type { CliCommand } from './cli/command.ts'
import { dhtModule } from '../protocols/dht/index.ts'
import { chunksModule } from '../protocols/chunk-exchange/index.ts'
import { searchModule } from '../protocols/flood-search/index.ts'
import { relayModule } from '../protocols/relay/index.ts'
import { dhtCommands } from '../protocols/dht/cli.ts'
import { chunksCommands } from '../protocols/chunk-exchange/cli.ts'
import { searchCommands } from '../protocols/flood-search/cli.ts'
import { relayCommands } from '../protocols/relay/cli.ts'

/**
 * Every protocol module, in install order: later ones may use earlier ones' APIs
 * (the chunk exchange asks the DHT for providers; search reads the chunk catalogue;
 * relay reuses search at the supernode tier).
 */
export const MODULES: ReadonlyArray<ProtocolModule<any, any>> = [dhtModule, chunksModule, searchModule, relayModule]

export const MODULE_COMMANDS: readonly CliCommand[] = [...chunksCommands, ...dhtCommands, ...searchCommands, ...relayCommands]
