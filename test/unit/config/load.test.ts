import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../../config/load.ts'
import { splitConfigArgs } from '../../../config/flags.ts'
import { peerSchema, defaultConfig } from '../../../config/peer-config.ts'
import { describeFields } from '../../../config/fields.ts'
import { envName, upperSnake } from '../../../config/naming.ts'
import { ConfigError, PeerhiveError } from '../../../node/errors.ts'

describe('config loading', () => {
  let dir: string
  const file = (name: string, body: unknown): string => {
    const p = join(dir, name)
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body))
    return p
  }
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'peerhive-config-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  const load = (argv: string[], env: Record<string, string> = {}) => {
    const split = splitConfigArgs(argv, peerSchema)
    return { ...loadConfig({ file: split.configFile, env, flags: split.flags }), rest: split.rest }
  }

  it('applies defaults < file < env < flags, field by field', () => {
    const f = file('a.json', { net: { uploadBps: 100, downloadBps: 7, peerUploadBps: 9, lowWater: 3 } })
    const env = { PEERHIVE_NET_UPLOAD_BPS: '200', PEERHIVE_NET_DOWNLOAD_BPS: '8' }
    const { config, origins, rest } = load(['start', '--config', f, '--net.uploadBps', '300', '--net.lowWater=5', '--json'], env)
    assert.equal(config.net.uploadBps, 300, 'flag beats env and file')
    assert.equal(config.net.downloadBps, 8, 'env beats file')
    assert.equal(config.net.peerUploadBps, 9, 'file beats default')
    assert.equal(config.net.lowWater, 5, '--field=value form')
    assert.equal(config.net.highWater, defaultConfig().net.highWater, 'untouched field keeps its default')
    assert.deepEqual(rest, ['start', '--json'], 'non-config args pass through in order')
    assert.deepEqual(origins.get('net.uploadBps'), { kind: 'flag', name: '--net.uploadBps' })
    assert.deepEqual(origins.get('net.downloadBps'), { kind: 'env', name: 'PEERHIVE_NET_DOWNLOAD_BPS' })
    assert.deepEqual(origins.get('net.peerUploadBps'), { kind: 'file', path: f })
    assert.equal(origins.get('net.highWater'), undefined)
  })

  it('parses lists, booleans and the --data-dir alias from strings', () => {
    const { config } = load(['--net.listen', '/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/5', '--net.mdns', '--data-dir', '/tmp/x', 'status'],
      { PEERHIVE_NODE_DATA_DIR: '/tmp/from-env', PEERHIVE_CONTROL_ENABLED: 'false' })
    assert.deepEqual(config.net.listen, ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/5'])
    assert.equal(config.net.mdns, true)
    assert.equal(config.node.dataDir, '/tmp/x', '--data-dir beats PEERHIVE_NODE_DATA_DIR')
    assert.equal(config.control.enabled, false)
  })

  it('a bare boolean flag does not swallow the next word', () => {
    const split = splitConfigArgs(['--net.mdns', 'status', '--net.mdns=false'], peerSchema)
    assert.deepEqual(split.rest, ['status'])
    assert.deepEqual(split.flags.map(f => f.value), ['true', 'false'])
  })

  it('takes the file from PEERHIVE_CONFIG when --config is absent', () => {
    const f = file('b.json', { control: { port: 4567 } })
    assert.equal(load([], { PEERHIVE_CONFIG: f }).config.control.port, 4567)
  })

  const rejects = (fn: () => unknown, field: string, source: string | RegExp): void => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
      assert.equal(err.field, field)
      assert.equal(err.code, 'invalid-config')
      assert.match(err.message, typeof source === 'string' ? new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : source)
      assert.ok(!err.message.includes('\n'), 'one line')
      return true
    })
  }

  it('a bad value in a file names the field, the expectation and the file', () => {
    const f = file('bad.json', { chunks: { enabled: 'yes' }, net: { uploadBps: -1 } })
    rejects(() => load(['--config', f]), 'chunks.enabled', `file ${f}: chunks.enabled: expected true or false, got "yes"`)
    const g = file('bad2.json', { net: { uploadBps: -1 } })
    rejects(() => load(['--config', g]), 'net.uploadBps', `file ${g}: net.uploadBps: expected integer >= 0, got -1`)
  })

  it('a bad env value names the variable', () => {
    rejects(() => load([], { PEERHIVE_NET_UPLOAD_BPS: 'fast' }), 'net.uploadBps', 'env PEERHIVE_NET_UPLOAD_BPS: net.uploadBps: expected integer >= 0, got "fast"')
    rejects(() => load([], { PEERHIVE_NODE_LOG_LEVEL: 'loud' }), 'node.logLevel', /env PEERHIVE_NODE_LOG_LEVEL: node\.logLevel: expected one of debug \| info \| warn \| error/)
  })

  it('a bad flag value names the flag', () => {
    rejects(() => load(['--control.port', '70000']), 'control.port', 'flag --control.port: control.port: expected integer >= 0 <= 65535, got "70000"')
    rejects(() => load(['--net.listen', 'tcp/1']), 'net.listen[0]', 'flag --net.listen: net.listen[0]: expected a multiaddr')
    rejects(() => load(['--net.uploadBps']), 'net.uploadBps', 'flag --net.uploadBps: net.uploadBps: expected a value')
  })

  it('rejects unknown sections, fields and PEERHIVE_ variables', () => {
    rejects(() => load(['--net.uploadbps', '1']), 'net.uploadbps', /flag --net\.uploadbps: net\.uploadbps: expected a known field of net \(.*uploadBps/)
    rejects(() => load(['--nett.uploadBps', '1']), 'nett', /flag --nett\.uploadBps: nett: expected a known section/)
    const f = file('typo.json', { net: { uplaodBps: 1 } })
    rejects(() => load(['--config', f]), 'net.uplaodBps', `file ${f}: net.uplaodBps`)
    rejects(() => load([], { PEERHIVE_NET_UPLOADBPS: '1' }), 'PEERHIVE_NET_UPLOADBPS', 'env PEERHIVE_NET_UPLOADBPS')
  })

  it('a missing or malformed file is a config error naming the file', () => {
    for (const [p, why] of [[join(dir, 'missing.json'), /cannot read config file \(ENOENT\)/], [file('broken.json', '{"net": '), /not valid JSON/]] as const) {
      assert.throws(() => load(['--config', p]), (err: unknown) => {
        assert.ok(err instanceof PeerhiveError)
        assert.equal(err.code, 'invalid-config')
        assert.match(err.message, new RegExp(`^file ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `))
        assert.match(err.message, why)
        return true
      })
    }
  })

  it('the example profiles load cleanly', () => {
    const lan = load(['--config', 'config/lan.json']).config
    assert.equal(lan.net.mdns, true)
    assert.ok(lan.net.inboundConnectionThreshold > defaultConfig().net.inboundConnectionThreshold)
    assert.ok(lan.net.maxIncomingPendingConnections > defaultConfig().net.maxIncomingPendingConnections)
    assert.match(lan.net.listen[0], /\/tcp\/[1-9]\d*$/, 'a fixed listen port')
    const pub = load(['--config', 'config/public.json']).config
    assert.equal(pub.net.mdns, false)
    assert.equal(pub.net.announce.length, 1)
  })
})

describe('config naming and field docs', () => {
  it('derives env names as upper snake case of the camelCase field', () => {
    assert.equal(upperSnake('uploadBps'), 'UPLOAD_BPS')
    assert.equal(envName('net', 'maxIncomingPendingConnections'), 'PEERHIVE_NET_MAX_INCOMING_PENDING_CONNECTIONS')
    assert.equal(envName('node', 'dataDir'), 'PEERHIVE_NODE_DATA_DIR')
  })

  it('documents every schema field, and every documented env name round-trips', () => {
    const docs = describeFields(peerSchema)
    const count = Object.values(peerSchema).reduce((n, s) => n + Object.keys(s).length, 0)
    assert.equal(docs.length, count)
    for (const d of docs) {
      assert.ok(d.doc.length > 0, `${d.path} has a doc`)
      const [section, field] = d.path.split('.')
      const raw = (defaultConfig() as any)[section][field]
      const envValue = Array.isArray(raw) ? raw.join(',') : String(raw)
      const { config } = loadConfig({ env: { [d.env]: envValue } })
      assert.deepEqual((config as any)[section][field], raw, `${d.env} sets ${d.path}`)
    }
  })
})
