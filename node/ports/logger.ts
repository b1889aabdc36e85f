/**
 * The logger port: structured lines that say what happened. Components get a child
 * logger named for them; a sink decides where lines go (stderr, JSON, memory).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

export interface LogRecord {
  time: number
  level: LogLevel
  scope: string
  msg: string
  fields?: Record<string, unknown>
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  child(scope: string): Logger
}

export type LogSink = (record: LogRecord) => void

export function createLogger (sink: LogSink, opts: { level?: LogLevel, scope?: string, now?: () => number } = {}): Logger {
  const min = LOG_LEVELS.indexOf(opts.level ?? 'info')
  const scope = opts.scope ?? 'peerhive'
  const now = opts.now ?? (() => Date.now())
  const emit = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>): void => {
    if (LOG_LEVELS.indexOf(level) < min) return
    sink({ time: now(), level, scope, msg, fields })
  }
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (name: string) => createLogger(sink, { ...opts, scope: `${scope}:${name}` })
  }
}

/** Human-readable lines on stderr (stdout stays free for `--json` output). */
export function stderrSink (json = false): LogSink {
  return (r) => {
    if (json) {
      process.stderr.write(JSON.stringify({ ...r, time: new Date(r.time).toISOString() }) + '\n')
      return
    }
    const f = r.fields === undefined ? '' : ' ' + Object.entries(r.fields).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')
    process.stderr.write(`${new Date(r.time).toISOString()} ${r.level.padEnd(5)} ${r.scope} ${r.msg}${f}\n`)
  }
}

function fmt (v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message)
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v
  return JSON.stringify(v) ?? String(v)
}

/** Keeps records in memory (tests, simulator traces). */
export class MemorySink {
  readonly records: LogRecord[] = []
  readonly sink: LogSink = (r) => { this.records.push(r) }
}

export const silentLogger: Logger = createLogger(() => {})
