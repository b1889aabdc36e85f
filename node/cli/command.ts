/**
 * A CLI command. Protocol modules contribute theirs (`protocols/<x>/cli.ts`); the CLI
 * core parses flags from `options`, prints `--help` from `summary`/`usage`/options, and
 * hands the command a context that talks to the running peer's control API.
 */
export interface OptionSpec {
  name: string
  short?: string
  type: 'string' | 'boolean'
  doc: string
  multiple?: boolean
}

export interface CliContext {
  /** Call `<module>.<method>` on the running peer's control API. */
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>
  /** Same, for methods that stream (NDJSON); ends when the peer ends the stream. */
  stream<T = unknown>(method: string, params?: Record<string, unknown>): AsyncIterable<T>
  /** True when the user asked for `--json`: print one JSON value, no decoration. */
  json: boolean
  out(line: string): void
  err(line: string): void
}

export interface CliCommand {
  /** Words that select it: ['share'] or ['dht', 'put']. */
  path: string[]
  summary: string
  /** e.g. `peerhive get <link> [-o path] [--seed]` */
  usage: string
  options: OptionSpec[]
  /** Returns the process exit code. */
  run(positionals: string[], flags: Record<string, string | boolean | string[] | undefined>, ctx: CliContext): Promise<number>
}
