import { MODULE_COMMANDS } from '../../modules.ts'
import { simCommands } from '../../sim/cli.ts'
import { fromModuleCommand, type Command } from '../builtin.ts'
import { bootstrapCommand } from './bootstrap.ts'
import { configCommand } from './config.ts'
import { startCommand } from './start.ts'
import { statusCommand } from './status.ts'
import { stopCommand } from './stop.ts'
import { swarmCommand } from '../swarm/command.ts'

/** Every command of the `peerhive` CLI: the core's, each protocol module's, then the simulator's. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  bootstrapCommand,
  statusCommand,
  stopCommand,
  swarmCommand,
  configCommand,
  ...MODULE_COMMANDS.map(fromModuleCommand),
  ...simCommands.map(fromModuleCommand)
]
