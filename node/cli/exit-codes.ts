import { PeerhiveError } from '../errors.ts'

/** Process exit codes of every peerhive command. */
export const EXIT_OK = 0
/** Something failed at runtime (peer unreachable, a call failed, a child crashed). */
export const EXIT_FAILURE = 1
/** The command line or the config was wrong: nothing was attempted. */
export const EXIT_USAGE = 2

/** A bad command line (unknown command or option, missing argument). */
export class UsageError extends PeerhiveError {
  constructor (message: string, context: Record<string, unknown> = {}) {
    super('usage', message, context)
  }
}

export function exitCodeFor (err: unknown): number {
  if (err instanceof PeerhiveError && (err.code === 'usage' || err.code === 'invalid-config')) return EXIT_USAGE
  return EXIT_FAILURE
}
