import assert from 'node:assert/strict'
import { simulate, type SimulateOptions } from '../../node/sim/simulate.ts'
import { blobWorkload } from './blob-workload.ts'

/** A run with seeded choices (which peers crash, which get cut off) and failures. */
const scenario = (seed: number): SimulateOptions => ({
  seed,
  workload: blobWorkload({ blocks: 60, blockSize: 8_000, window: 4 }),
  peers: [
    { count: 1, role: 'seed', uploadBps: 150_000 },
    { count: 12, role: 'leecher', uploadBps: 50_000, downloadBps: 100_000, joinAt: 0, joinSpreadMs: 3_000, latencyMs: 7 }
  ],
  churn: [
    { at: 1_500, action: 'crash', count: 3, role: 'leecher' },
    { at: 2_500, action: 'cut', count: 1, role: 'leecher' },
    { at: 4_000, action: 'restart', count: 3 },
    { at: 6_000, action: 'reconnect' }
  ],
  until: 120_000
})

describe('sim determinism', function () {
  this.timeout(30_000)

  it('the same seed gives the identical trace and numbers, bit for bit; another seed differs', async () => {
    const seed = 2026
    const a = await simulate(scenario(seed))
    const b = await simulate(scenario(seed))
    const c = await simulate(scenario(seed + 1))
    const msg = `reproduce with seed=${seed}`
    assert.deepEqual(a.errors, [], msg)
    assert.ok(a.frames > 500, `${msg}: too little happened (${a.frames} frames)`)
    assert.ok(a.trace.some(e => e.kind === 'crash') && a.trace.some(e => e.kind === 'restart') && a.trace.some(e => e.kind === 'cut'), msg)
    assert.equal(a.hash, b.hash, msg)
    assert.deepEqual(a.trace, b.trace, msg)
    assert.deepEqual(a.peers, b.peers, msg)
    assert.deepEqual(a.series.map(s => ({ ...s })), b.series.map(s => ({ ...s })), msg)
    assert.equal(a.events, b.events, msg)
    assert.notEqual(a.hash, c.hash, `seeds ${seed} and ${seed + 1} gave the same trace hash`)
    const crashed = (r: typeof a): string[] => r.trace.filter(e => e.kind === 'crash').map(e => e.peer as string)
    assert.notDeepEqual([crashed(a), a.trace], [crashed(c), c.trace], 'another seed should make other choices')
  })

  it('sampling cannot perturb a run: another `until` or sampling period gives the same trace and numbers', async () => {
    const seed = 77
    const msg = `reproduce with seed=${seed}`
    const a = await simulate(scenario(seed))
    const dense = await simulate({ ...scenario(seed), sampleEveryMs: 37 })
    const longer = await simulate({ ...scenario(seed), until: 2 * scenario(seed).until })
    assert.deepEqual(a.errors, [], msg)
    assert.ok(dense.series.length > 3 * a.series.length, `${msg}: the dense run took ${dense.series.length} samples against ${a.series.length}`)
    for (const [name, b] of [['dense', dense], ['longer', longer]] as const) {
      assert.equal(b.hash, a.hash, `${msg}: ${name}`)
      assert.deepEqual(b.trace, a.trace, `${msg}: ${name}`)
      assert.deepEqual(b.peers, a.peers, `${msg}: ${name}`)
      assert.equal(b.events, a.events, `${msg}: ${name}`)
      assert.equal(b.virtualTimeMs, a.virtualTimeMs, `${msg}: ${name}`)
    }
    // Where two runs sampled the same instant they saw the same state.
    const at = new Map(dense.series.map(s => [s.t, s.completed]))
    const shared = a.series.filter(s => at.has(s.t))
    assert.ok(shared.length > 0, msg)
    for (const s of shared) assert.equal(at.get(s.t), s.completed, `${msg}: samples at t=${s.t} differ`)
  })
})
