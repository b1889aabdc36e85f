import type { CliCommand } from '../../node/cli/command.ts'

export const relayCommands: CliCommand[] = []
