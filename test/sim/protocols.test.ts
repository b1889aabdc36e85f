import assert from 'node:assert/strict'
import { simulate } from '../../node/sim/simulate.ts'
import { simCommands } from '../../node/sim/cli.ts'
import { checkScenario, ScenarioError } from '../../node/sim/scenario-file.ts'
import type { CliContext } from '../../node/cli/command.ts'

/** The real protocol modules, unchanged, on the simulated network. */
describe('sim: real protocols on virtual time', function () {
  this.timeout(60_000)

  it('Chord DHT: every lookup matches the true successor once the ring has settled', async () => {
    const seed = 4
    const res = await simulate({
      seed,
      workload: 'dht',
      peers: [{ count: 40, joinSpreadMs: 2_000 }],
      dht: { lookups: 300, settleMs: 90_000, perSecond: 100 },
      until: 600_000,
      keepTrace: false
    })
    const s = res.summary as { answered: number, correct: number, failed: number, hops: Record<string, number>, meanHops: number }
    const msg = `reproduce with seed=${seed}: ${JSON.stringify(s)}`
    assert.deepEqual(res.errors, [], msg)
    assert.equal(s.answered, 300, msg)
    assert.equal(s.correct, 300, msg)
    assert.ok(s.meanHops <= Math.log2(40), msg)
  })

  it('flood search: recall grows with TTL and reaches most holders', async () => {
    const seed = 9
    const res = await simulate({
      seed,
      workload: 'search',
      peers: [{ count: 80, joinSpreadMs: 4_000 }],
      search: { queries: 15, ttls: [1, 3, 6], titles: 30 },
      until: 600_000,
      keepTrace: false
    })
    const r = (res.summary as { recallByTtl: Record<string, number> }).recallByTtl
    const msg = `reproduce with seed=${seed}: ${JSON.stringify(r)}`
    assert.deepEqual(res.errors, [], msg)
    assert.ok(r['1'] < r['3'] && r['3'] <= r['6'], msg)
    assert.ok(r['6'] > 0.8, msg)
  })

  it('peerhive sim runs a scenario file and prints JSON; bad scenarios name the field', async () => {
    const out: string[] = []
    const err: string[] = []
    const ctx: CliContext = { json: true, out: l => out.push(l), err: l => err.push(l), call: async () => { throw new Error('sim needs no peer') }, stream: () => { throw new Error('sim needs no peer') } }
    const code = await simCommands[0].run(['search-ttl'], { seed: '3' }, ctx)
    assert.equal(code, 0, err.join('\n'))
    const res = JSON.parse(out.join('\n')) as { seed: number, runs: Array<{ hash: string, summary: { recallByTtl: Record<string, number> } }> }
    assert.equal(res.seed, 3)
    assert.match(res.runs[0].hash, /^[0-9a-f]{64}$/)
    assert.ok(Object.keys(res.runs[0].summary.recallByTtl).length === 6)
    assert.throws(() => checkScenario({ seed: 1, workload: 'dht', until: 10, peers: [{ count: 0 }] }, 'x.json'), (e: ScenarioError) => e.message.includes('peers[0].count'))
    assert.throws(() => checkScenario({ seed: 1, workload: 'dht', until: 10, peers: [{ count: 2 }], churn: [{ at: 1, action: 'explode' }] }, 'x.json'), (e: ScenarioError) => e.message.includes('churn[0].action'))
  })
})
