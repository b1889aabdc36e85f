import type { PeerStatus } from '../peer-types.ts'
import { CLIENT_TIMEOUT_MS, CONTROL_HOST } from './constants.ts'
import { readControlFile, type ControlInfo } from './control-file.ts'
import { ControlError } from './errors.ts'

/**
 * Talks to a running peer's control API, found through `<dataDir>/control.json`.
 * Implements the `call`/`stream` half of the CLI's `CliContext`; server errors come back
 * as ControlErrors with the server's code and message.
 */
export class ControlClient {
  readonly info: ControlInfo
  private readonly base: string
  private readonly timeoutMs: number

  constructor (info: ControlInfo, opts: { timeoutMs?: number } = {}) {
    this.info = info
    this.base = `http://${CONTROL_HOST}:${info.port}`
    this.timeoutMs = opts.timeoutMs ?? CLIENT_TIMEOUT_MS
  }

  /** `timeoutMs` bounds each non-streaming call (default CLIENT_TIMEOUT_MS). */
  static async fromDataDir (dataDir: string, opts: { timeoutMs?: number } = {}): Promise<ControlClient> {
    return new ControlClient(await readControlFile(dataDir), opts)
  }

  async status (): Promise<PeerStatus> {
    return await this.json<PeerStatus>('GET', '/v1/status')
  }

  /** Asks the peer to shut down gracefully; resolves once it has accepted. */
  async stop (): Promise<void> {
    await this.json('POST', '/v1/stop')
  }

  async call<T = unknown> (method: string, params: Record<string, unknown> = {}): Promise<T> {
    const body = await this.json<{ result?: T }>('POST', '/v1/call', { method, params })
    return body.result as T
  }

  async * stream<T = unknown> (method: string, params: Record<string, unknown> = {}): AsyncIterable<T> {
    const controller = new AbortController()
    const res = await this.fetch('POST', '/v1/call', { method, params }, controller.signal)
    try {
      if (!res.ok) throw await errorFrom(res)
      const type = res.headers.get('content-type') ?? ''
      if (!type.startsWith('application/x-ndjson')) {
        // A method that returned a single value: yield it once, so callers need not care.
        const body = await res.json() as { result?: T }
        if (body.result !== undefined) yield body.result
        return
      }
      if (res.body === null) return
      const decoder = new TextDecoder()
      let buf = ''
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk, { stream: true })
        let nl: number
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl)
          buf = buf.slice(nl + 1)
          if (line.trim() === '') continue
          yield parseLine<T>(line, method)
        }
      }
      if (buf.trim() !== '') yield parseLine<T>(buf, method)
    } finally {
      controller.abort()
    }
  }

  private async json<T> (method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(method, path, body, AbortSignal.timeout(this.timeoutMs))
    if (!res.ok) throw await errorFrom(res)
    return await res.json() as T
  }

  private async fetch (method: string, path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    try {
      return await fetch(this.base + path, {
        method,
        signal,
        headers: { authorization: `Bearer ${this.info.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined
      })
    } catch (err) {
      throw new ControlError('unreachable', `peer ${this.info.peerId} (pid ${this.info.pid}) does not answer on ${this.base}: ${causeOf(err)}`, { port: this.info.port, pid: this.info.pid }, { cause: err })
    }
  }
}

function parseLine<T> (line: string, method: string): T {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch (err) {
    throw new ControlError('remote-error', `${method}: malformed NDJSON line from the peer`, { method }, { cause: err })
  }
  if (typeof v === 'object' && v !== null && '$error' in v) {
    const e = (v as { $error: { code?: string, message?: string } }).$error
    throw new ControlError(e.code ?? 'remote-error', e.message ?? 'stream failed', { method })
  }
  return v as T
}

async function errorFrom (res: Response): Promise<ControlError> {
  const text = await res.text()
  try {
    const body = JSON.parse(text) as { error?: { code?: string, message?: string } }
    if (body.error?.message !== undefined) return new ControlError(body.error.code ?? 'remote-error', body.error.message, { status: res.status })
  } catch {
    // not our JSON error shape: fall through to a generic error carrying the raw text
  }
  return new ControlError('remote-error', `control API answered ${res.status}: ${text.slice(0, 200)}`, { status: res.status })
}

function causeOf (err: unknown): string {
  const cause = (err as { cause?: { code?: string, message?: string } }).cause
  return cause?.code ?? cause?.message ?? (err as Error).message
}
