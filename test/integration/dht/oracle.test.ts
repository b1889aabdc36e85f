import assert from 'node:assert/strict'
import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { sortedMembers, trueSuccessor } from '../../../protocols/dht/invariants.ts'
import { DHT_REPLICAS, DHT_TEST_CONFIG, dhtOf, inBatches, states, waitConverged, waitFingers } from './helpers.ts'

const SEED = Number(process.env.SEED ?? Date.now() % 100_000)

describe('dht oracle: 32 peers on the memory transport', function () {
  // About 25 s on this machine; 3,000 DHT operations on 32 peers in one process stretch
  // several-fold when the two cores are shared with other heavy runs.
  this.timeout(150_000)
  let swarm: Swarm

  before(async () => {
    swarm = await createSwarm({ size: 31, transport: 'memory', config: DHT_TEST_CONFIG })
  })
  after(async () => { await swarm?.stop() })

  it('findSuccessor from any peer equals the true successor for 1,000 random keys, and every get returns what was put', async () => {
    const peers = swarm.all()
    assert.equal(peers.length, 32)
    const boot = peers[0]
    // Peers join on their own once connected; joining explicitly through the bootstrap peer just makes it prompt.
    for (const p of peers.slice(1)) await dhtOf(p).join([boot.id]).catch(() => {})
    const space = dhtOf(boot).space
    assert.deepEqual(await waitConverged(peers, space, 4, 40_000), [], 'ring converged')
    // Hops are measured on a finished finger table: under load fix-fingers can lag behind a fixed wait.
    assert.equal(await waitFingers(peers, space, 30_000), 0, 'finger tables caught up')
    const members = sortedMembers([...(await states(peers)).values()].map(s => s.self))
    const rnd = new SeededRandom(SEED)
    const keys = Array.from({ length: 1_000 }, (_, i) => `oracle-${SEED}-${i}-${rnd.int(1e9)}`)
    const hops: number[] = []
    await inBatches(keys, 16, async (key) => {
      const from = peers[rnd.int(peers.length)]
      const api = dhtOf(from)
      const res = await api.findSuccessor(key)
      const want = trueSuccessor(space, members, api.idOf(key))
      assert.equal(res.peer, want.peer, `key ${key} from ${from.id} (reproduce with SEED=${SEED})`)
      hops.push(res.hops)
    })
    const mean = hops.reduce((a, b) => a + b, 0) / hops.length
    assert.ok(mean <= 0.5 * Math.log2(32) + 1, `mean hops ${mean} > ½·log2 N + 1`)
    await inBatches(keys, 16, async (key, i) => {
      const res = await dhtOf(peers[i % peers.length]).put(key, `value of ${key}`)
      assert.equal(res.replicas, DHT_REPLICAS, `${key} replicated`)
    })
    await inBatches(keys, 16, async (key, i) => {
      const got = await dhtOf(peers[(i * 7 + 3) % peers.length]).get(key)
      assert.equal(got.found, true, `${key} found (SEED=${SEED})`)
      assert.equal(new TextDecoder().decode(got.value), `value of ${key}`)
    })
  })
})
