import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanEnv, runCli } from './run-cli.ts'

describe('peerhive CLI: usage and config errors (real processes)', function () {
  this.timeout(60_000)
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'peerhive-cli-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('start with a bad config file exits 2 with one line naming the field, the expectation and the file', async () => {
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ net: { inboundConnectionThreshold: 'lots' } }))
    const r = await runCli(['start', '--config', file, '--data-dir', join(dir, 'data')])
    assert.equal(r.code, 2, r.stderr)
    assert.equal(r.stdout, '')
    const lines = r.stderr.trim().split('\n')
    assert.equal(lines.length, 1, `one line, not a stack: ${r.stderr}`)
    assert.equal(lines[0], `peerhive: file ${file}: net.inboundConnectionThreshold: expected integer >= 1, got "lots"`)
    assert.ok(!existsSync(join(dir, 'data')), 'nothing started, nothing written')
  })

  it('names the env var or flag that carries a bad value, and rejects unknown fields', async () => {
    const env = await runCli(['start', '--data-dir', join(dir, 'data')], { env: cleanEnv({ PEERHIVE_NET_HIGH_WATER: '0' }) })
    assert.equal(env.code, 2)
    assert.match(env.stderr, /^peerhive: env PEERHIVE_NET_HIGH_WATER: net\.highWater: expected integer >= 1, got "0"\n$/)
    const flag = await runCli(['start', '--net.mdns=maybe', '--data-dir', join(dir, 'data')])
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /^peerhive: flag --net\.mdns: net\.mdns: expected true or false, got "maybe"\n$/)
    const unknown = await runCli(['status', '--net.bogus', '1'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /net\.bogus: expected a known field of net/)
  })

  it('prints the stack only with --node.logLevel debug', async () => {
    const r = await runCli(['config', '--net.lowWater', '-3', '--node.logLevel', 'debug'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^peerhive: flag --net\.lowWater: net\.lowWater: expected integer >= 0, got "-3"\n/)
    assert.match(r.stderr, /\n\s+at /, 'a stack follows')
  })

  it('exits 2 on an unknown command or option, 0 on --help everywhere', async () => {
    const unknownCmd = await runCli(['frobnicate'])
    assert.equal(unknownCmd.code, 2)
    assert.match(unknownCmd.stderr, /unknown command "frobnicate"/)
    const unknownOpt = await runCli(['status', '--verbose'])
    assert.equal(unknownOpt.code, 2)
    assert.match(unknownOpt.stderr, /status: Unknown option '--verbose'/)
    const top = await runCli(['--help'])
    assert.equal(top.code, 0)
    for (const c of ['start', 'bootstrap', 'status', 'stop', 'swarm', 'config']) assert.match(top.stdout, new RegExp(`^  ${c} +\\S`, 'm'), `${c} listed`)
    const cmds = ['start', 'bootstrap', 'status', 'stop', 'swarm', 'config']
    const helps = await Promise.all(cmds.map(async c => await runCli([c, '-h'])))
    helps.forEach((h, i) => {
      assert.equal(h.code, 0, `${cmds[i]} -h`)
      assert.match(h.stdout, new RegExp(`^usage: peerhive ${cmds[i]}`))
    })
  })

  it('config prints the effective config with each value\'s source, and --fields every field', async () => {
    const file = join(dir, 'c.json')
    writeFileSync(file, JSON.stringify({ net: { uploadBps: 5, downloadBps: 6 } }))
    const r = await runCli(['config', '--json', '--config', file, '--net.uploadBps', '7'], { env: cleanEnv({ PEERHIVE_NET_LOW_WATER: '2' }) })
    assert.equal(r.code, 0, r.stderr)
    const cfg = JSON.parse(r.stdout)
    assert.deepEqual([cfg.net.uploadBps, cfg.net.downloadBps, cfg.net.lowWater], [7, 6, 2])
    const text = await runCli(['config', '--config', file, '--net.uploadBps', '7'])
    assert.match(text.stdout, /^net\.uploadBps +=  7 +\(flag --net\.uploadBps\)$/m)
    assert.match(text.stdout, new RegExp(`^net\\.downloadBps +=  6 +\\(file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`, 'm'))
    const fields = JSON.parse((await runCli(['config', '--fields', '--json'])).stdout) as Array<{ path: string, env: string }>
    assert.ok(fields.some(f => f.path === 'net.uploadBps' && f.env === 'PEERHIVE_NET_UPLOAD_BPS'))
  })
})
