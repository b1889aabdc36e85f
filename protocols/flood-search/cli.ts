import type { CliCommand } from '../../node/cli/command.ts'

export const searchCommands: CliCommand[] = []
