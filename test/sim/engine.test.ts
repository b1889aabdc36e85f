import assert from 'node:assert/strict'
import type { PeerKey } from '../../node/ports/net.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { VirtualClock } from '../../node/ports/virtual-clock.ts'
import { SimNetwork } from '../../node/sim/sim-network.ts'
import { SimPeer } from '../../node/sim/sim-peer.ts'
import { simulate } from '../../node/sim/simulate.ts'
import { blobModule, type BlobApi } from './blob-protocol.ts'
import { blobWorkload } from './blob-workload.ts'

const K = (s: string): PeerKey => s as PeerKey
const blob = { blocks: 100, blockSize: 10_000, window: 8 }
/** Bytes on the wire per block frame: payload plus envelope and codec headers. */
const FRAME = 10_000 + 2 + 1 + 2 + 2

async function pair (seed: string, up: number, down: number, nLeechers = 1) {
  const clock = new VirtualClock()
  const net = new SimNetwork({ clock })
  const root = new SeededRandom(seed)
  const mods = [blobModule(blob)]
  const seedPeer = await SimPeer.start({ net, key: 'seed', random: root.fork('seed'), modules: mods, uploadBps: up })
  const leechers: SimPeer[] = []
  for (let i = 0; i < nLeechers; i++) leechers.push(await SimPeer.start({ net, key: `l${i}`, random: root.fork(`l${i}`), modules: mods, downloadBps: down }))
  return { clock, net, seedPeer, leechers }
}

describe('sim engine: bandwidth, latency, failures', function () {
  this.timeout(30_000)

  it('an upload cap sets the transfer time (F/u), latency adds once per round trip', async () => {
    const { clock, leechers } = await pair('cap', 100_000, 0)
    const done = leechers[0].services.get<BlobApi>('blob')?.fetch(K('seed')) as Promise<number>
    await clock.runWhile(() => clock.now() < 60_000 && leechers[0].host.bytesDown < 100 * 10_000, 60_000)
    const t = await done
    const ideal = (100 * FRAME * 1000) / 100_000
    assert.ok(t >= ideal && t <= ideal * 1.02 + 50, `took ${t} ms, ideal ${ideal} ms`)
  })

  it('shares an uplink fairly among concurrent transfers (processor sharing)', async () => {
    const { clock, leechers } = await pair('share', 100_000, 0, 3)
    const times = leechers.map(l => l.services.get<BlobApi>('blob')?.fetch(K('seed')) as Promise<number>)
    await clock.advance(60_000)
    const t = await Promise.all(times)
    const ideal = (3 * 100 * FRAME * 1000) / 100_000
    for (const x of t) assert.ok(Math.abs(x - ideal) / ideal < 0.03, `finish ${x} vs ideal ${ideal}`)
    assert.ok(Math.max(...t) - Math.min(...t) < 0.02 * ideal, `unfair: ${t.join(', ')}`)
  })

  it('a download cap binds when it is below the sender\'s upload', async () => {
    const { clock, leechers } = await pair('down', 0, 50_000)
    const done = leechers[0].services.get<BlobApi>('blob')?.fetch(K('seed')) as Promise<number>
    await clock.advance(60_000)
    const t = await done
    const ideal = (100 * FRAME * 1000) / 50_000
    assert.ok(t >= ideal && t <= ideal * 1.02 + 50, `took ${t} ms, ideal ${ideal} ms`)
  })

  it('NAT: a NATed peer dials out but accepts no inbound connection', async () => {
    const clock = new VirtualClock()
    const net = new SimNetwork({ clock })
    const a = net.addHost('a')
    const b = net.addHost('b')
    b.behindNat = true
    assert.equal(net.connect(K('a'), K('b')), false)
    assert.equal(net.connect(K('b'), K('a')), true)
    assert.deepEqual(net.neighbours(K('a')), [K('b')])
    a.cutOff()
    assert.equal(net.isConnected(K('a'), K('b')), false)
    assert.equal(net.connect(K('b'), K('a')), false, 'a cut-off peer is unreachable')
    a.reconnect()
    assert.equal(net.connect(K('b'), K('a')), true)
    net.setPartition(k => k === 'a' ? 0 : 1)
    assert.equal(net.isConnected(K('a'), K('b')), false, 'a partition drops cross-group links')
    assert.equal(net.connect(K('b'), K('a')), false)
    net.setPartition(undefined)
    assert.equal(net.connect(K('b'), K('a')), true)
  })

  it('a crashed peer restarts from its store; its dead incarnation can do nothing', async () => {
    const { clock, leechers } = await pair('crash', 100_000, 0)
    const l = leechers[0]
    const first = l.services.get<BlobApi>('blob')?.fetch(K('seed')) as Promise<number>
    first.catch(() => {})
    await clock.advance(4_000)
    l.crash()
    const bytesAtCrash = l.host.bytesDown
    await clock.advance(2_000)
    assert.equal(l.host.bytesDown, bytesAtCrash, 'nothing reaches a crashed peer')
    await l.restart()
    const api = l.services.get<BlobApi>('blob') as BlobApi
    const had = await api.progress()
    assert.ok(had >= 30 && had < 100, `progress kept across the crash: ${had}`)
    const done = api.fetch(K('seed'))
    await clock.advance(60_000)
    const t = await done
    assert.ok(t > 6_000, `finished at ${t}`)
    assert.equal(await api.progress(), 100)
  })

  it('loss drops frames at the configured rate, from the seeded stream', async () => {
    const clock = new VirtualClock()
    const net = new SimNetwork({ clock, lossRate: 0.2, random: new SeededRandom('loss') })
    net.addHost('a'); net.addHost('b')
    net.connect(K('a'), K('b'))
    for (let i = 0; i < 2000; i++) net.transmit(K('a'), K('b'), '/x', new Uint8Array(10))
    assert.ok(net.lost > 330 && net.lost < 470, `lost ${net.lost} of 2000`)
  })

  it('simulate(): seeds, leechers, churn and metrics through a workload', async () => {
    const res = await simulate({
      seed: 7,
      workload: blobWorkload(blob),
      peers: [{ count: 1, role: 'seed', uploadBps: 200_000 }, { count: 4, role: 'leecher', joinAt: 100, joinSpreadMs: 300 }],
      churn: [{ at: 2_000, action: 'crash', peers: ['leecher-2'] }, { at: 3_000, action: 'restart', peers: ['leecher-2'] }],
      until: 120_000
    })
    assert.deepEqual(res.errors, [])
    assert.equal(res.swarm.completed, 4, `reproduce with seed=7: ${JSON.stringify(res.swarm)}`)
    const ideal = (4 * 100 * FRAME * 1000) / 200_000
    assert.ok((res.swarm.distributionTimeMs as number) >= ideal * 0.98, `distribution ${res.swarm.distributionTimeMs} vs ${ideal}`)
    assert.ok(res.trace.some(e => e.kind === 'crash' && e.peer === 'leecher-2'))
    assert.ok(res.trace.some(e => e.kind === 'restart' && e.peer === 'leecher-2'))
    const seedUp = res.peers.find(p => p.id === 'seed-0')?.bytesUp as number
    assert.ok(seedUp >= 4 * 100 * 10_000, `seed uploaded ${seedUp}`)
    assert.ok(res.series.length > 10)
  })
})
