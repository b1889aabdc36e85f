import assert from 'node:assert/strict'
import { SimRing } from './harness.ts'
import { converged, oneOrderedRing, orderedSuccessorLists, sortedMembers, trueSuccessor } from '../../../protocols/dht/invariants.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import type { RingState } from '../../../protocols/dht/ring.ts'

const SEED = Number(process.env.SEED ?? 11)

/** Maintenance a little slower than the harness's FAST, so 240 peers run in seconds of wall time. */
const CFG = { idBits: 64, successors: 6, replicas: 2, stabilizeMs: 500, fixFingersMs: 500, checkPredecessorMs: 1_000, pingSuccessorsMs: 2_000, repairMs: 5_000, rpcTimeoutMs: 500, lookupTimeoutMs: 5_000 }

describe('dht: a few hundred concurrent joins through random members', function () {
  this.timeout(60_000)

  it('form one ordered ring throughout and converge within a bounded virtual time', async () => {
    const n = 240
    const ring = new SimRing(SEED, CFG)
    const rnd = new SeededRandom(`${SEED}:joins`)
    const names = Array.from({ length: n }, (_, i) => `j${i}`)
    for (const name of names) await ring.start(name)

    // A new peer every 5 ms (dozens of joins in flight at once, each taking several round
    // trips of 10 ms), each through a random member whose own join has finished, as a real
    // peer joins through its bootstrap peer. Joiners land in the same gaps at once and
    // route through a ring that has not absorbed the previous joiners yet.
    const joined = new Set<string>(['j0'])
    const members = ['j0']
    let failures = 0
    const join = (i: number, attempt: number): void => {
      const via = members[rnd.int(members.length)]
      ring.members.get(names[i])?.api.join([via]).then(() => { joined.add(names[i]); members.push(names[i]) }, () => {
        failures++
        if (attempt < 20) ring.clock.setTimer(20, () => { join(i, attempt + 1) })
      })
    }
    for (let i = 1; i < n; i++) ring.clock.setTimer(i * 5, () => { join(i, 0) })

    // Safety on the global state every 50 ms of virtual time: successor lists ordered, and
    // the members in the ring (not the ones still alone, unnamed) reach a single cycle winding once.
    const bound = 30_000
    let problems: string[] = ['not checked']
    let at = 0
    for (; ring.clock.now() < bound; at += 50) {
      await ring.clock.advance(50)
      const states = await ring.states()
      const named = new Set([...states.values()].flatMap(s => s.succs.map(x => x.peer)))
      const inRing = new Map<PeerKey, RingState>([...states].filter(([p, s]) => s.succs.length > 0 || s.pred !== undefined || named.has(p)))
      const safe = [...orderedSuccessorLists(ring.space, states, CFG.successors), ...oneOrderedRing(ring.space, inRing)]
      assert.deepEqual(safe, [], `at ${ring.clock.now()} ms with ${joined.size} joined (reproduce with SEED=${SEED})`)
      if (joined.size === n) {
        problems = converged(ring.space, states, CFG.successors)
        if (problems.length === 0) break
      }
    }
    assert.equal(joined.size, n, `${n - joined.size} peers never joined after ${failures} refused attempts (SEED=${SEED})`)
    assert.deepEqual(problems.slice(0, 5), [], `not converged within ${bound} ms of virtual time (SEED=${SEED})`)
    const convergedAt = ring.clock.now()
    if (process.env.DEBUG_DHT !== undefined) console.log(`converged at ${convergedAt} ms, ${failures} refused joins`)
    // The last join starts at 1.2 s; the ring is whole a few stabilize periods later.
    assert.ok(convergedAt <= 15_000, `converged only at ${convergedAt} ms (SEED=${SEED})`)

    // Every lookup from any member finds the true successor.
    const sorted = sortedMembers([...(await ring.states()).values()].map(s => s.self))
    const all = [...ring.members.values()]
    for (let k = 0; k < 100; k++) {
      const key = `key-${rnd.int(1e9)}`
      const from = all[rnd.int(all.length)]
      const res = await ring.drive(from.api.findSuccessor(key))
      assert.equal(res.peer, trueSuccessor(ring.space, sorted, from.api.idOf(key)).peer, `key ${key} from ${from.name} (SEED=${SEED})`)
    }
  })
})
