/**
 * Typed errors of the runtime. Each carries a stable `code` for programs and the
 * context (peer, field, actor...) a person needs to act on it.
 */
export class PeerhiveError extends Error {
  readonly code: string
  readonly context: Record<string, unknown>

  constructor (code: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    this.context = context
  }
}

export type WireErrorCode = 'truncated' | 'oversized' | 'unknown-type' | 'bad-version' | 'invalid'

/** A wire message that cannot be decoded: the stream carrying it is reset. */
export class WireError extends PeerhiveError {
  declare readonly code: WireErrorCode
  constructor (code: WireErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context)
  }
}

export type NetErrorCode = 'not-connected' | 'timeout' | 'dial-failed' | 'banned' | 'closed' | 'remote-error' | 'unreachable'

export class NetError extends PeerhiveError {
  declare readonly code: NetErrorCode
  constructor (code: NetErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, context, options)
  }
}

export type ActorErrorCode = 'mailbox-full' | 'timeout' | 'stopped' | 'failed' | 'no-such-actor'

export class ActorError extends PeerhiveError {
  declare readonly code: ActorErrorCode
  constructor (code: ActorErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(code, message, context)
  }
}

/** A bad configuration value: names the field and what was expected. */
export class ConfigError extends PeerhiveError {
  readonly field: string
  constructor (field: string, expected: string, got: unknown, source = 'config') {
    super('invalid-config', `${source}: ${field}: expected ${expected}, got ${describe(got)}`, { field, expected, source })
    this.field = field
  }
}

function describe (v: unknown): string {
  if (v === undefined) return 'nothing'
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s
}
