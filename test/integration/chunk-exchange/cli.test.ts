import assert from 'node:assert/strict'
import { join } from 'node:path'
import { CliProcess, runCli } from '../cli/run-cli.ts'
import { fileSha256, randomFile, tempDir } from './helpers.ts'

const LOOPBACK = ['--net.listen', '/ip4/127.0.0.1/tcp/0', '--net.mdns', 'false']

describe('chunk exchange through the real CLI (peerhive share / get, separate processes)', function () {
  this.timeout(60_000)

  it('share prints a link; get -o downloads it, prints progress, exits 0 once complete and verified', async () => {
    const tmp = await tempDir('cx-cli')
    const a = new CliProcess(['start', '--json', '--data-dir', join(tmp.dir, 'a'), ...LOOPBACK])
    let b: CliProcess | undefined
    try {
      const ra = await a.ready<{ addresses: string[] }>()
      b = new CliProcess(['start', '--json', '--data-dir', join(tmp.dir, 'b'), ...LOOPBACK, '--net.bootstrap', ra.addresses[0]])
      await b.ready()
      const src = await randomFile(tmp.dir, 'movie.bin', 1_500_000)
      const share = await runCli(['share', src.path, '--data-dir', join(tmp.dir, 'a')])
      assert.equal(share.code, 0, share.stderr)
      const link = share.stdout.trim()
      assert.match(link, /^bafkrei[a-z2-7]+$/)
      const out = join(tmp.dir, 'copy.bin')
      const get = await runCli(['get', link, '-o', out, '--data-dir', join(tmp.dir, 'b')], { timeoutMs: 40_000 })
      assert.equal(get.code, 0, get.stderr)
      assert.match(get.stderr, /100\.0%.*down .*\/s {2}up .*\/s {2}peers \d+ {2}eta/)
      assert.equal(get.stdout.trim(), out)
      assert.equal(await fileSha256(out), src.sha256)
      const bad = await runCli(['get', 'not-a-link', '--data-dir', join(tmp.dir, 'b')])
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /not a share link/)
    } finally {
      a.kill()
      b?.kill()
      await tmp.remove()
    }
  })
})
