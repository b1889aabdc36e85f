import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultConfig } from '../../../config/peer-config.ts'
import { ControlClient } from '../../../node/control/client.ts'
import { startControlServer, type ControlServer } from '../../../node/control/server.ts'
import { ActorError, PeerhiveError } from '../../../node/errors.ts'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import type { ProtocolModule } from '../../../node/plugin.ts'
import { silentLogger } from '../../../node/ports/logger.ts'

/**
 * A test-only module exposing control methods, so the dispatch and NDJSON streaming of
 * the control API are exercised over real HTTP against a real (memory-transport) peer.
 */
interface EchoApi { add(a: number, b: number): number, closed: number }
const echoModule: ProtocolModule<EchoApi> = {
  name: 'echo',
  install: () => { throw new Error('installed by the test') },
  control: {
    add: async (api, p) => api.add(Number(p.a), Number(p.b)),
    count: async function * (_api, p) { for (let i = 0; i < Number(p.n); i++) yield { i } },
    failAfter: async function * (_api, p) {
      for (let i = 0; i < Number(p.n); i++) yield i
      throw new PeerhiveError('invalid-params', `gave up after ${String(p.n)}`)
    },
    forever: async function * (api) {
      try {
        for (let i = 0; i < 10_000; i++) {
          yield i
          await new Promise(resolve => setTimeout(resolve, 5))
        }
      } finally {
        api.closed++
      }
    },
    slow: async () => { throw new ActorError('timeout', 'ask timed out after 10 ms') }
  }
}

describe('control API: calls and NDJSON streams (in-process peer, real HTTP)', function () {
  this.timeout(30_000)
  let dir: string
  let peer: RuntimePeer
  let server: ControlServer
  let client: ControlClient
  const api: EchoApi = { add: (a, b) => a + b, closed: 0 }
  let stopRequests = 0

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peerhive-call-'))
    const config = defaultConfig()
    config.net.transport = 'memory'
    config.net.mdns = false
    peer = await createPeer(config, { store: 'memory', modules: [], logger: silentLogger })
    peer.services.set('echo', api)
    server = await startControlServer({ peer, dataDir: dir, port: 0, modules: [echoModule, { name: 'ghost', install: () => ({}), control: { boo: async () => 1 } }], onStop: () => { stopRequests++ }, logger: silentLogger })
    client = await ControlClient.fromDataDir(dir)
  })
  after(async () => {
    await server?.close()
    await peer?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('dispatches <module>.<method> to the module API and returns its result', async () => {
    assert.equal(await client.call('echo.add', { a: 2, b: 40 }), 42)
  })

  it('streams an AsyncIterable result as NDJSON, one line per value', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/call`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: JSON.stringify({ method: 'echo.count', params: { n: 4 } }) })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/)
    assert.deepEqual((await res.text()).trim().split('\n').map(l => JSON.parse(l)), [{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }])
    const got: unknown[] = []
    for await (const v of client.stream('echo.count', { n: 3 })) got.push(v)
    assert.deepEqual(got, [{ i: 0 }, { i: 1 }, { i: 2 }])
  })

  it('ends a failing stream with the error code, after the values sent so far', async () => {
    const got: unknown[] = []
    await assert.rejects(async () => { for await (const v of client.stream('echo.failAfter', { n: 2 })) got.push(v) },
      (err: PeerhiveError) => err.code === 'invalid-params' && /gave up after 2/.test(err.message))
    assert.deepEqual(got, [0, 1])
  })

  it('stops the producer when the client goes away mid-stream', async () => {
    const got: number[] = []
    for await (const v of client.stream<number>('echo.forever')) {
      got.push(v)
      if (got.length === 3) break
    }
    for (let i = 0; i < 100 && api.closed === 0; i++) await new Promise(resolve => setTimeout(resolve, 20))
    assert.equal(api.closed, 1, 'the generator was returned')
  })

  it('maps errors to codes and fitting HTTP statuses', async () => {
    const raw = async (body: unknown): Promise<[number, string]> => {
      const r = await fetch(`http://127.0.0.1:${server.port}/v1/call`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: JSON.stringify(body) })
      return [r.status, (await r.json() as { error: { code: string } }).error.code]
    }
    assert.deepEqual(await raw({ method: 'echo.slow' }), [504, 'timeout'])
    assert.deepEqual(await raw({ method: 'ghost.boo' }), [503, 'module-not-running'])
    assert.deepEqual(await raw({ method: 'echo.nope' }), [404, 'unknown-method'])
    assert.deepEqual(await raw({ method: 'echo.add', params: [1, 2] }), [400, 'bad-request'])
    assert.deepEqual(await raw({ params: {} }), [400, 'bad-request'])
    await assert.rejects(client.call('echo.slow'), (err: PeerhiveError) => err.code === 'timeout' && err.message === 'ask timed out after 10 ms')
  })

  it('listens on 127.0.0.1 only', async () => {
    await assert.rejects(fetch(`http://[::1]:${server.port}/v1/status`, { headers: { authorization: `Bearer ${server.token}` } }))
  })

  it('answers POST /v1/stop, asks its owner to stop once, and removes control.json on close', async () => {
    await client.stop()
    await client.stop()
    for (let i = 0; i < 50 && stopRequests === 0; i++) await new Promise(resolve => setTimeout(resolve, 10))
    assert.equal(stopRequests, 1)
    assert.ok(existsSync(join(dir, 'control.json')))
    await server.close()
    assert.ok(!existsSync(join(dir, 'control.json')))
    await assert.rejects(client.status(), (err: PeerhiveError) => err.code === 'unreachable')
  })
})
