import assert from 'node:assert/strict'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import { DHT_TEST_CONFIG, dhtOf, inBatches, kill, waitConverged } from './helpers.ts'

describe('dht restart: a peer with a LevelDB data dir', function () {
  this.timeout(90_000)
  let swarm: Swarm
  let restarted: RuntimePeer | undefined

  before(async () => {
    swarm = await createSwarm({ size: 5, transport: 'memory', store: 'level', config: { ...DHT_TEST_CONFIG, dht: { ...DHT_TEST_CONFIG.dht, successors: 3, replicas: 2 } } })
  })
  after(async () => {
    await restarted?.stop()
    await swarm?.stop()
  })

  it('killed and restarted on the same data dir, keeps its stored pairs and rejoins the ring', async () => {
    const boot = swarm.all()[0]
    for (const p of swarm.peers) await dhtOf(p).join([boot.id]).catch(() => {})
    const space = dhtOf(boot).space
    assert.deepEqual(await waitConverged(swarm.all(), space, 3, 30_000), [])
    const keys = Array.from({ length: 60 }, (_, i) => `restart-${i}`)
    await inBatches(keys, 8, async (k, i) => { await dhtOf(swarm.all()[i % 6]).put(k, `v${i}`) })

    const victim = swarm.peers[2]
    const view = await dhtOf(victim).ring()
    assert.ok(view.records > 0, 'the victim holds pairs')
    await kill(victim)
    const others = swarm.all().filter(p => p !== victim)

    restarted = await createPeer(structuredClone(victim.config), { store: 'level' })
    assert.equal(restarted.id, victim.id, 'same identity from the data dir')
    const back = await dhtOf(restarted).ring()
    assert.equal(back.records, view.records, 'pairs reloaded from LevelDB')
    await dhtOf(restarted).join(boot.multiaddrs())
    assert.deepEqual(await waitConverged([...others, restarted], space, 3, 30_000), [], 'rejoined')
    await inBatches(keys, 8, async (k, i) => {
      const got = await dhtOf(restarted as RuntimePeer).get(k)
      assert.equal(new TextDecoder().decode(got.value), `v${i}`, k)
    })
  })
})
