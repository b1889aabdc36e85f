import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const fixture = fileURLToPath(new URL('../fixtures/fault-guard.ts', import.meta.url))
const run = (what: string): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, [fixture, what], { encoding: 'utf8', timeout: 20_000 })

describe('fault guard of a long-running peer (real processes)', function () {
  this.timeout(30_000)

  it('survives the known upstream yamux StreamStateError, logging it', () => {
    const r = run('stream')
    assert.equal(r.status, 0, String(r.stderr))
    assert.match(String(r.stdout), /alive survived=1/)
    assert.match(String(r.stderr), /libp2p stream fault survived/)
  })

  it('exits non-zero on any other uncaught exception, saying why', () => {
    const r = run('bug')
    assert.equal(r.status, 1)
    assert.doesNotMatch(String(r.stdout), /alive/)
    assert.match(String(r.stderr), /uncaught exception: exiting.*a real bug/s)
  })
})
