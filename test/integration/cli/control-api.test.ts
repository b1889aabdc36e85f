import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlClient } from '../../../node/control/client.ts'
import { CliProcess, runCli } from './run-cli.ts'

interface Ready { peerId: string, addresses: string[], dataDir: string, controlPort: number }

const LOOPBACK = ['--net.listen', '/ip4/127.0.0.1/tcp/0', '--net.mdns', 'false']

describe('peerhive start: control API, status, stop, SIGTERM (real processes)', function () {
  this.timeout(60_000)
  let dir: string
  const procs: CliProcess[] = []
  const start = (dataDir: string): CliProcess => {
    const p = new CliProcess(['start', '--json', '--data-dir', dataDir, ...LOOPBACK])
    procs.push(p)
    return p
  }
  before(() => { dir = mkdtempSync(join(tmpdir(), 'peerhive-control-')) })
  after(() => {
    for (const p of procs) p.kill()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves /v1/status with the token only, and status/stop work against the running process', async () => {
    const dataDir = join(dir, 'a')
    const proc = start(dataDir)
    const ready = await proc.ready<Ready>()
    assert.equal(ready.dataDir, dataDir)

    const file = join(dataDir, 'control.json')
    assert.equal(statSync(file).mode & 0o777, 0o600, 'control.json is owner-only')
    const info = JSON.parse(readFileSync(file, 'utf8')) as { port: number, token: string, pid: number, peerId: string }
    assert.equal(info.port, ready.controlPort)
    assert.equal(info.pid, proc.child.pid)
    assert.equal(info.peerId, ready.peerId)
    assert.match(info.token, /^[0-9a-f]{64}$/, '32 random bytes')
    const url = `http://127.0.0.1:${info.port}/v1/status`

    const anon = await fetch(url)
    assert.equal(anon.status, 401)
    assert.equal((await anon.json() as { error: { code: string } }).error.code, 'unauthorized')
    const wrong = await fetch(url, { headers: { authorization: `Bearer ${info.token.replace(/.$/, c => c === '0' ? '1' : '0')}` } })
    assert.equal(wrong.status, 401)
    const unauthStop = await fetch(`http://127.0.0.1:${info.port}/v1/stop`, { method: 'POST' })
    assert.equal(unauthStop.status, 401, 'stop without the token is refused too')

    const auth = { authorization: `Bearer ${info.token}` }
    const ok = await fetch(url, { headers: auth })
    assert.equal(ok.status, 200)
    const status = await ok.json() as { peerId: string, addresses: string[], actors: unknown[] }
    assert.equal(status.peerId, ready.peerId)
    assert.ok(status.addresses.some(a => a.startsWith('/ip4/127.0.0.1/tcp/')))

    const call = async (body: string): Promise<{ status: number, code: string }> => {
      const r = await fetch(`http://127.0.0.1:${info.port}/v1/call`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body })
      return { status: r.status, code: (await r.json() as { error: { code: string } }).error.code }
    }
    assert.deepEqual(await call('{"method": '), { status: 400, code: 'bad-request' })
    assert.deepEqual(await call(JSON.stringify({ method: 'nope.nothing' })), { status: 404, code: 'unknown-method' })
    assert.deepEqual(await call(JSON.stringify({ method: 'x.y', params: 'z'.repeat(2 * 1024 * 1024) })), { status: 413, code: 'too-large' })
    const wrongVerb = await fetch(url, { method: 'DELETE', headers: auth })
    assert.equal(wrongVerb.status, 405)

    const st = await runCli(['status', '--json', '--data-dir', dataDir])
    assert.equal(st.code, 0, st.stderr)
    assert.equal((JSON.parse(st.stdout) as { peerId: string }).peerId, ready.peerId)
    const human = await runCli(['status', '--data-dir', dataDir])
    assert.match(human.stdout, new RegExp(`^peer +${ready.peerId}`))
    assert.match(human.stdout, /^connections \(0\)$/m)

    const twin = await runCli(['start', '--data-dir', dataDir, ...LOOPBACK])
    assert.equal(twin.code, 1, 'a second peer on the same data dir fails at runtime')
    assert.match(twin.stderr, /^peerhive: data dir .* is in use by another running peer/m)
    assert.ok(existsSync(file), 'and leaves the running peer\'s control.json alone')

    const stop = await runCli(['stop', '--json', '--data-dir', dataDir])
    assert.equal(stop.code, 0, stop.stderr)
    assert.deepEqual(JSON.parse(stop.stdout), { stopped: true, peerId: ready.peerId, pid: proc.child.pid })
    assert.equal(await proc.exit(), 0, proc.stderr)
    assert.ok(!existsSync(file), 'control.json removed on shutdown')
    assert.match(proc.stderr, /stopped cleanly/)

    const after = await runCli(['status', '--data-dir', dataDir])
    assert.equal(after.code, 1)
    assert.match(after.stderr, /^peerhive: no running peer in .*control\.json not found/)
  })

  it('shuts down cleanly on SIGTERM and comes back with the same peer id', async () => {
    const dataDir = join(dir, 'b')
    const first = start(dataDir)
    const ready = await first.ready<Ready>()
    assert.ok(existsSync(join(dataDir, 'control.json')))
    first.child.kill('SIGTERM')
    assert.equal(await first.exit(), 0, first.stderr)
    assert.ok(!existsSync(join(dataDir, 'control.json')), 'control.json removed')
    assert.match(first.stderr, /shutting down reason=SIGTERM/)

    const second = start(dataDir)
    assert.equal((await second.ready<Ready>()).peerId, ready.peerId, 'the store was flushed and the identity kept')
    second.child.kill('SIGINT')
    assert.equal(await second.exit(), 0, second.stderr)
  })

  it('bootstrap prints dialable multiaddrs and a peer joins through them', async () => {
    const boot = new CliProcess(['bootstrap', '--json', '--data-dir', join(dir, 'boot'), ...LOOPBACK])
    procs.push(boot)
    const b = await boot.ready<{ peerId: string, multiaddrs: string[] }>()
    assert.ok(b.multiaddrs.length > 0)
    for (const a of b.multiaddrs) assert.ok(a.endsWith(`/p2p/${b.peerId}`), a)
    const addr = b.multiaddrs.find(a => a.startsWith('/ip4/127.0.0.1/'))!
    const peerDir = join(dir, 'joiner')
    const peer = new CliProcess(['start', '--json', '--data-dir', peerDir, ...LOOPBACK, '--net.bootstrap', addr])
    procs.push(peer)
    await peer.ready()
    let connected = false
    for (let i = 0; i < 150 && !connected; i++) {
      const st = await (await ControlClient.fromDataDir(peerDir)).status()
      connected = st.connections.some(c => c.peer === b.peerId)
      if (!connected) await new Promise(resolve => setTimeout(resolve, 200))
    }
    assert.ok(connected, 'the peer connected to the bootstrap')
    boot.child.kill('SIGTERM')
    peer.child.kill('SIGTERM')
    assert.equal(await boot.exit(), 0, boot.stderr)
    assert.equal(await peer.exit(), 0, peer.stderr)
  })
})
