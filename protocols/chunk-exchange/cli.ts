import type { CliCommand } from '../../node/cli/command.ts'

export const chunksCommands: CliCommand[] = []
