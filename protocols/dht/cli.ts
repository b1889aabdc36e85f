import type { CliCommand } from '../../node/cli/command.ts'

export const dhtCommands: CliCommand[] = []
