import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Peer } from '../peer-types.ts'
import type { ProtocolModule } from '../plugin.ts'
import type { Logger } from '../ports/logger.ts'
import { PeerhiveError } from '../errors.ts'
import { CONTROL_HOST, MAX_BODY_BYTES, REQUEST_TIMEOUT_MS, TOKEN_BYTES } from './constants.ts'
import { removeControlFile, writeControlFile } from './control-file.ts'
import { dispatchCall, isAsyncIterable, parseCallRequest } from './dispatch.ts'
import { ControlError } from './errors.ts'
import { statusForCode } from './http-status.ts'

export interface ControlServerInit {
  peer: Peer
  /** Where control.json goes (the peer's data dir). */
  dataDir: string
  /** 0: any free port. */
  port: number
  modules: ReadonlyArray<ProtocolModule<any, any>>
  /** Called once after `POST /v1/stop` has been answered: the owner shuts the peer down. */
  onStop: () => void
  logger: Logger
}

export interface ControlServer {
  readonly port: number
  readonly token: string
  /** Stops accepting, ends open requests and removes control.json. Idempotent. */
  close(): Promise<void>
}

/**
 * The control API: JSON over HTTP on 127.0.0.1 only, every request guarded by a bearer
 * token that only the data dir's owner can read. Routes: GET /v1/status, POST /v1/stop,
 * POST /v1/call { method: '<module>.<method>', params } (AsyncIterable results stream
 * as NDJSON, one value per line; a failure mid-stream ends it with `{"$error": {...}}`).
 */
export async function startControlServer (init: ControlServerInit): Promise<ControlServer> {
  const token = randomBytes(TOKEN_BYTES).toString('hex')
  const expected = Buffer.from(`Bearer ${token}`)
  const log = init.logger
  let stopRequested = false

  const authorized = (req: IncomingMessage): boolean => {
    const got = Buffer.from(req.headers.authorization ?? '')
    return got.length === expected.length && timingSafeEqual(got, expected)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!authorized(req)) throw new ControlError('unauthorized', 'missing or wrong bearer token (see control.json in the data dir)')
    const url = new URL(req.url ?? '/', 'http://localhost')
    const route = `${req.method ?? 'GET'} ${url.pathname}`
    switch (route) {
      case 'GET /v1/status':
        sendJson(res, 200, init.peer.status())
        return
      case 'POST /v1/stop':
        await readBody(req)
        sendJson(res, 202, { stopping: true })
        if (!stopRequested) {
          stopRequested = true
          if (res.writableFinished) init.onStop()
          else res.once('finish', () => init.onStop())
        }
        return
      case 'POST /v1/call': {
        const call = parseCallRequest(await readBody(req))
        const result = dispatchCall(init.modules, init.peer.services, call)
        if (isAsyncIterable(result)) await streamNdjson(req, res, result, log)
        else sendJson(res, 200, { result: await result })
        return
      }
    }
    const known = ['/v1/status', '/v1/stop', '/v1/call']
    if (known.includes(url.pathname)) throw new ControlError('method-not-allowed', `${req.method ?? ''} not allowed on ${url.pathname}`)
    throw new ControlError('not-found', `no route ${url.pathname} (routes: GET /v1/status, POST /v1/stop, POST /v1/call)`)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = toWireError(err)
      const status = statusForCode(e.code)
      if (status >= 500) log.warn('control request failed', { url: req.url, code: e.code, error: e.message })
      else log.debug('control request refused', { url: req.url, code: e.code, error: e.message })
      if (res.headersSent) {
        res.destroy()
        return
      }
      sendJson(res, status, { error: e })
      // A body we refused to read (too large) would otherwise keep the socket busy.
      if (status === 413) res.once('finish', () => req.destroy())
    })
  })
  server.requestTimeout = REQUEST_TIMEOUT_MS
  server.headersTimeout = REQUEST_TIMEOUT_MS

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.port, CONTROL_HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  await writeControlFile(init.dataDir, { port, token, pid: process.pid, peerId: init.peer.id })
  log.info('control API listening', { url: `http://${CONTROL_HOST}:${port}/v1`, file: `${init.dataDir}/control.json` })

  let closed: Promise<void> | undefined
  return {
    port,
    token,
    close: async () => {
      closed ??= (async () => {
        const done = new Promise<void>(resolve => server.close(() => resolve()))
        server.closeIdleConnections()
        // Open streams would hold close() forever: end them, the peer is going away.
        const force = setTimeout(() => server.closeAllConnections(), 1000)
        await done
        clearTimeout(force)
        await removeControlFile(init.dataDir, token)
      })()
      await closed
    }
  }
}

function toWireError (err: unknown): { code: string, message: string } {
  if (err instanceof PeerhiveError) return { code: err.code, message: err.message }
  if (err instanceof Error) return { code: 'internal', message: err.message }
  return { code: 'internal', message: String(err) }
}

function sendJson (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n'
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
  res.end(text)
}

/** The request body as JSON (undefined when empty); 413 past MAX_BODY_BYTES, 400 when not JSON. */
async function readBody (req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new ControlError('too-large', `body of ${declared} bytes exceeds the ${MAX_BODY_BYTES}-byte limit`)
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new ControlError('too-large', `body exceeds the ${MAX_BODY_BYTES}-byte limit`)
    parts.push(chunk)
  }
  const text = Buffer.concat(parts).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ControlError('bad-request', `body is not valid JSON: ${(err as Error).message}`)
  }
}

/**
 * One JSON value per line, written as each arrives. The client going away stops the
 * iterator (its `return` runs, so the producer can release what it holds).
 */
async function streamNdjson (req: IncomingMessage, res: ServerResponse, items: AsyncIterable<unknown>, log: Logger): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
  res.flushHeaders()
  const it = items[Symbol.asyncIterator]()
  let gone = false
  const onClose = (): void => {
    if (res.writableFinished) return
    gone = true
    void it.return?.()
  }
  res.once('close', onClose)
  try {
    while (!gone) {
      const next = await it.next()
      if (next.done === true || gone) break
      if (!res.write(JSON.stringify(next.value ?? null) + '\n')) {
        await new Promise<void>(resolve => {
          const done = (): void => { res.off('drain', done); res.off('close', done); resolve() }
          res.once('drain', done)
          res.once('close', done)
        })
      }
    }
  } catch (err) {
    const e = toWireError(err)
    log.warn('control stream failed', { url: req.url, code: e.code, error: e.message })
    if (!gone) res.write(JSON.stringify({ $error: e }) + '\n')
  } finally {
    res.off('close', onClose)
    if (!gone) res.end()
  }
}
