import assert from 'node:assert/strict'
import { SimRing } from './harness.ts'
import { converged, safety, sortedMembers, trueSuccessor } from '../../../protocols/dht/invariants.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'

const SEED = Number(process.env.SEED ?? 7)

async function convergedWithin (ring: SimRing, ms: number, r: number): Promise<string[]> {
  let problems: string[] = ['not checked']
  for (let t = 0; t < ms; t += 100) {
    await ring.clock.advance(100)
    problems = converged(ring.space, await ring.states(), r)
    if (problems.length === 0) return []
  }
  return problems
}

describe('dht actors on the simulated network', function () {
  this.timeout(60_000)

  it('converges from sequential joins, with the ring invariants holding after every step', async () => {
    const ring = new SimRing(SEED, { idBits: 32, successors: 4 })
    const names = Array.from({ length: 10 }, (_, i) => `p${i}`)
    await ring.start('p0')
    const principals = new Set<PeerKey>(['p0' as PeerKey])
    for (const n of names.slice(1)) {
      await ring.start(n)
      await ring.join(n, 'p0')
      // Step timer by timer until the ring has absorbed the joiner; safety must hold throughout.
      let steps = 0
      for (; steps < 2_000; steps++) {
        await ring.clock.step()
        const states = await ring.states()
        assert.deepEqual(safety(ring.space, states, 4, principals), [], `after ${n} joined, step ${steps} (reproduce with SEED=${SEED})`)
        if (converged(ring.space, states, 4).length === 0) break
      }
      assert.ok(steps < 2_000, `${n} not absorbed (SEED=${SEED})`)
      principals.add(n as PeerKey)
    }
    assert.deepEqual(await convergedWithin(ring, 10_000, 4), [], `reproduce with SEED=${SEED}`)
  })

  it('finds the true successor of random keys from every member, and get returns what put stored', async () => {
    const ring = new SimRing(SEED, { idBits: 64, successors: 4, replicas: 2 })
    for (let i = 0; i < 16; i++) await ring.start(`q${i}`)
    for (let i = 1; i < 16; i++) await ring.join(`q${i}`, 'q0')
    assert.deepEqual(await convergedWithin(ring, 20_000, 4), [])
    await ring.clock.advance(5_000) // fingers fill
    const members = sortedMembers([...(await ring.states()).values()].map(s => s.self))
    const rnd = new SeededRandom(SEED)
    const all = [...ring.members.values()]
    let hops = 0
    for (let k = 0; k < 200; k++) {
      const key = `key-${rnd.int(1e9)}`
      const from = all[rnd.int(all.length)]
      const res = await ring.drive(from.api.findSuccessor(key))
      assert.equal(res.peer, trueSuccessor(ring.space, members, from.api.idOf(key)).peer, `key ${key} from ${from.name} (SEED=${SEED})`)
      hops += res.hops
    }
    assert.ok(hops / 200 <= 0.5 * Math.log2(16) + 1, `mean hops ${hops / 200}`)
    for (let k = 0; k < 50; k++) {
      const put = await ring.drive(all[k % all.length].api.put(`k${k}`, `v${k}`))
      assert.equal(put.replicas, 2)
    }
    for (let k = 0; k < 50; k++) {
      const got = await ring.drive(all[(k * 7) % all.length].api.get(`k${k}`))
      assert.equal(new TextDecoder().decode(got.value), `v${k}`)
    }
    const missing = await ring.drive(all[0].api.get('never-put'))
    assert.equal(missing.found, false)
  })
})
