import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanEnv, runCli } from './run-cli.ts'

interface Row { role: string, peerId: string | null, address: string | null, state: string, connections: number, connectedToBootstrap: boolean, actorsFailed: number }

describe('peerhive swarm (real processes on 127.0.0.1)', function () {
  this.timeout(90_000)

  it('swarm --peers 3 --duration 5 --json reports 3 running peers connected to the bootstrap, then cleans up', async () => {
    // A temp dir of its own (TMPDIR): another peerhive swarm on this machine makes and removes its dirs meanwhile.
    const tmp = mkdtempSync(join(tmpdir(), 'swarm-cli-test-'))
    try {
      await swarmIn(tmp)
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  })

  async function swarmIn (tmp: string): Promise<void> {
    const r = await runCli(['swarm', '--peers', '3', '--duration', '5', '--json'], { timeoutMs: 80_000, env: cleanEnv({ TMPDIR: tmp }) })
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as { ok: boolean, peers: Row[], bootstrap: Row }
    assert.equal(report.ok, true)
    assert.equal(report.peers.length, 3)
    assert.equal(report.bootstrap.state, 'running')
    assert.ok(report.bootstrap.connections >= 3, `bootstrap has ${report.bootstrap.connections} connections`)
    const ids = new Set<string>()
    for (const p of report.peers) {
      assert.equal(p.state, 'running')
      assert.ok(p.connectedToBootstrap, `${String(p.peerId)} connected to the bootstrap`)
      assert.match(p.address ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
      assert.equal(p.actorsFailed, 0)
      ids.add(p.peerId!)
    }
    assert.equal(ids.size, 3, 'three distinct identities')
    assert.deepEqual(readdirSync(tmp), [], 'temp dirs removed')
  }

  it('rejects a bad --peers with exit code 2', async () => {
    const r = await runCli(['swarm', '--peers', 'many'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /^peerhive: swarm: --peers: expected an integer from 1 to \d+, got "many"\n$/)
  })
})
