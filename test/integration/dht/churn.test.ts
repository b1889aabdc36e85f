import assert from 'node:assert/strict'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import { createSwarm, swarmBaseConfig, type Swarm } from '../../../node/swarm.ts'
import { overlay } from '../../../config/schema.ts'
import { peerSchema } from '../../../config/peer-config.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { ownerDuringJoins, sortedMembers, trueSuccessor } from '../../../protocols/dht/invariants.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import { DHT_REPLICAS, DHT_TEST_CONFIG, dhtOf, inBatches, kill, states, waitConverged } from './helpers.ts'

const SEED = Number(process.env.SEED ?? Date.now() % 100_000)

/** Longest run of consecutive ring members in `dead`, the ring `order` read as a circle. */
function longestRun (order: PeerKey[], dead: Set<PeerKey>): number {
  let best = 0
  let cur = 0
  for (let i = 0; i < 2 * order.length; i++) {
    cur = dead.has(order[i % order.length]) ? cur + 1 : 0
    best = Math.max(best, cur)
  }
  return Math.min(best, order.length)
}

/** `count` random peers of `pool`, with fewer than `run` consecutive members of the ring `order` among them. */
function victimsWithoutRun (rnd: SeededRandom, pool: RuntimePeer[], order: PeerKey[], count: number, run: number): RuntimePeer[] {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const pick = rnd.shuffle([...pool]).slice(0, count)
    if (longestRun(order, new Set(pick.map(p => p.id))) < run) return pick
  }
  throw new Error(`no ${count} of ${pool.length} without ${run} ring neighbours in 1000 draws (SEED=${SEED})`)
}

describe('dht churn: 32 peers on the memory transport', function () {
  this.timeout(120_000)
  let swarm: Swarm
  const extra: RuntimePeer[] = []

  before(async () => {
    swarm = await createSwarm({ size: 31, transport: 'memory', config: DHT_TEST_CONFIG })
  })
  after(async () => {
    await Promise.all(extra.map(async p => { await p.stop() }))
    await swarm?.stop()
  })

  it('a quarter of the peers crash at once: survivors\' successors are right and every key stays readable; joins during lookups keep lookups correct', async () => {
    const rnd = new SeededRandom(SEED)
    const boot = swarm.all()[0]
    for (const p of swarm.peers) await dhtOf(p).join([boot.id]).catch(() => {})
    const space = dhtOf(boot).space
    assert.deepEqual(await waitConverged(swarm.all(), space, 4, 40_000), [], 'ring converged before the crash')

    const keys = Array.from({ length: 200 }, (_, i) => `churn-${SEED}-${i}`)
    const all = swarm.all()
    await inBatches(keys, 16, async (key, i) => {
      const res = await dhtOf(all[i % all.length]).put(key, `v-${key}`)
      assert.equal(res.replicas, DHT_REPLICAS)
    })

    // Crash 8 of 32 at once, no goodbye (the bootstrap peer stays: new peers join through it).
    // A key lives on its owner and `replicas` successors, so replicas + 1 ring neighbours dying
    // together destroy every copy of it: no replication survives that, and a random 8 of 31
    // did so in ~5% of runs. The draw keeps random victims with at most `replicas` in a row
    // (runs of 3 still cost a predecessor 3 of its 4 successors).
    const ringOrder = sortedMembers([...(await states(all)).values()].map(s => s.self)).map(n => n.peer)
    const victims = victimsWithoutRun(rnd, swarm.peers, ringOrder, 8, DHT_REPLICAS + 1)
    await Promise.all(victims.map(kill))
    const survivors = all.filter(p => !victims.includes(p))
    assert.deepEqual(await waitConverged(survivors, space, 4, 60_000), [], `survivors converged (SEED=${SEED})`)
    await inBatches(keys, 16, async (key, i) => {
      const got = await dhtOf(survivors[i % survivors.length]).get(key)
      assert.equal(got.found, true, `${key} readable after the crash (SEED=${SEED})`)
      assert.equal(new TextDecoder().decode(got.value), `v-${key}`)
    })

    // Joins during lookups: 4 peers join while lookups run, and none fails. Each answer must
    // be the key's owner in some membership the ring passed through: the survivors plus any
    // subset of the joiners. Joins overlap, so "before all joins or after all joins" is too
    // strict: a key whose owner becomes joiner 1, then joiner 3 (which lands between the key
    // and joiner 1), is rightly answered by joiner 1 in between. The check below is exactly
    // "no survivor lies between the key and the answer, and the answer is a survivor or a
    // joiner": a crashed victim, a wrong survivor or an overshoot all fail it.
    const before = sortedMembers([...(await states(survivors)).values()].map(s => s.self))
    const cfg = overlay(peerSchema, swarmBaseConfig('memory'), { ...DHT_TEST_CONFIG, net: { ...DHT_TEST_CONFIG.net, bootstrap: boot.multiaddrs() } }, 'test')
    const joining = (async () => {
      for (let i = 0; i < 4; i++) {
        const p = await createPeer(structuredClone(cfg), { store: 'memory' })
        extra.push(p)
        await dhtOf(p).join(boot.multiaddrs())
      }
    })()
    let joinsDone = false
    void joining.finally(() => { joinsDone = true })
    const answers: Array<{ key: string, peer: string }> = []
    for (let round = 0; round < 200 && (!joinsDone || round < 5); round++) {
      const batch = Array.from({ length: 8 }, () => `during-${rnd.int(1e9)}`)
      await inBatches(batch, 8, async (key) => {
        const res = await dhtOf(survivors[rnd.int(survivors.length)]).findSuccessor(key)
        answers.push({ key, peer: res.peer })
      })
    }
    await joining
    const ring = [...survivors, ...extra]
    assert.deepEqual(await waitConverged(ring, space, 4, 40_000), [], 'converged after the joins')
    const after = sortedMembers([...(await states(ring)).values()].map(s => s.self))
    const api = dhtOf(boot)
    const joiners = new Map(after.filter(n => !before.some(b => b.peer === n.peer)).map(n => [n.peer, n]))
    assert.equal(joiners.size, 4, 'all four joiners are in the final ring')
    for (const a of answers) {
      const id = api.idOf(a.key)
      assert.ok(ownerDuringJoins(space, before, joiners, id, a.peer as PeerKey), `lookup of ${a.key} during joins answered ${a.peer}; the owner before the joins was ${trueSuccessor(space, before, id).peer}, after ${trueSuccessor(space, after, id).peer}, joiners ${[...joiners.keys()].join(', ')} (SEED=${SEED})`)
    }
    assert.ok(answers.length >= 40, `${answers.length} lookups ran during the joins`)
    // Once stabilized, every lookup is exact again, and the old keys are still there.
    await inBatches(keys.slice(0, 100), 16, async (key, i) => {
      const from = ring[i % ring.length]
      assert.equal((await dhtOf(from).findSuccessor(key)).peer, trueSuccessor(space, after, api.idOf(key)).peer)
      assert.equal((await dhtOf(from).get(key)).found, true, `${key} after the joins`)
    })
  })
})
