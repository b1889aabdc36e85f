import assert from 'node:assert/strict'
import type { Catalog, SearchHit, SharedFileInfo } from '../../../node/contracts.ts'
import type { ActorRef } from '../../../node/kernel/actor.ts'
import { ActorSystem } from '../../../node/kernel/system.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import { silentLogger } from '../../../node/ports/logger.ts'
import { asPeerKey, type PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SimNetwork, type SimHost } from '../../../node/sim/sim-network.ts'
import { relayActor, type RelayCmd, type RelaySettings, type RelayStatus, type WhereResult } from '../../../protocols/relay/actor.ts'
import { defaultConfig } from '../../../config/peer-config.ts'
import { relayWire } from '../../../protocols/relay/messages.ts'
import { RelayError } from '../../../protocols/relay/errors.ts'

const SEED = Number(process.env.SEED ?? 6)

interface SimNode {
  key: PeerKey
  host: SimHost
  sys: ActorSystem
  ref: ActorRef<RelayCmd>
  files: SharedFileInfo[]
}

function settings (role: 'super' | 'ordinary', over: Partial<RelaySettings> = {}): RelaySettings {
  const r = defaultConfig().relay
  return { ...r, role, attach: role === 'ordinary' ? 'always' : 'never', checkIntervalMs: 1000, refreshIntervalMs: 20_000, claimTtlMs: 60_000, ...over }
}

function world () {
  const clock = new VirtualClock()
  const net = new SimNetwork({ clock })
  const rnd = new SeededRandom(SEED)
  const nodes = new Map<string, SimNode>()
  const add = (key: string, role: 'super' | 'ordinary', name = '', over: Partial<RelaySettings> = {}): SimNode => {
    const host = net.addHost(key)
    host.behindNat = role === 'ordinary'
    const sys = new ActorSystem({ clock, random: rnd.fork(key), store: new MemoryStore(), logger: silentLogger, net: host })
    const files: SharedFileInfo[] = []
    const catalog: Catalog = { listShared: async () => files }
    const ref = sys.spawn({ name: 'relay', wire: relayWire, factory: relayActor({ settings: settings(role, over), name, catalog }) })
    const n = { key: asPeerKey(key), host, sys, ref, files }
    nodes.set(key, n)
    return n
  }
  const ask = async <R>(n: SimNode, make: (reply: any) => RelayCmd): Promise<R> => {
    const p = n.ref.ask<R>(make, 600_000)
    // Let the network and timers run until the answer is in (bounded in virtual time).
    let done = false
    p.then(() => { done = true }, () => { done = true })
    await clock.runWhile(() => !done, clock.now() + 60_000)
    return await p
  }
  const status = async (n: SimNode): Promise<RelayStatus> => await ask<RelayStatus>(n, reply => ({ type: 'status', reply }))
  const whereis = async (n: SimNode, name: string): Promise<WhereResult> => await ask<WhereResult>(n, reply => ({ type: 'whereis', name, reply }))
  const search = async (n: SimNode, text: string): Promise<SearchHit[]> => await ask<SearchHit[]>(n, reply => ({ type: 'search', text, reply }))
  const link = (a: SimNode, b: SimNode): void => { assert.ok(net.connect(a.key, b.key), `${a.key} -> ${b.key}`) }
  return { clock, net, nodes, add, status, whereis, search, link }
}

const file = (name: string, link: string): SharedFileInfo => ({ link, name, size: 1000 + name.length })

describe('relay supernode layer (simulated network, virtual time)', () => {
  it('attaches NATed children, replicates names among supernodes and refuses a second key for an owned name', async () => {
    const w = world()
    const [s1, s2] = [w.add('S1', 'super'), w.add('S2', 'super')]
    const a = w.add('A', 'ordinary', 'alice')
    const b = w.add('B', 'ordinary', 'bob')
    w.link(s1, s2)
    w.link(a, s1)
    w.link(b, s2)
    await w.clock.advance(5_000)
    assert.equal((await w.status(a)).supernode, 'S1')
    assert.equal((await w.status(b)).supernode, 'S2')
    assert.equal((await w.status(a)).nameState, 'claimed')

    // A asks its own supernode about bob, whose claim arrived at S2 and was replicated.
    const where = await w.whereis(a, 'bob')
    assert.equal(where.peer, 'B')
    assert.deepEqual(where.addrs, ['/sim/B'])

    // A second key claiming "alice" (through the other supernode) is refused.
    const m = w.add('M', 'ordinary', 'alice')
    w.link(m, s2)
    await w.clock.advance(5_000)
    assert.equal((await w.status(m)).nameState, 'refused')
    assert.equal((await w.whereis(b, 'alice')).peer, 'A')
    await assert.rejects(w.whereis(a, 'nobody'), (e: RelayError) => e.code === 'not-found')
  })

  it('answers a child\'s search from the group leaders\' indexes, flooding among supernodes only', async () => {
    const w = world()
    const sn = ['S1', 'S2', 'S3'].map(k => w.add(k, 'super'))
    w.link(sn[0], sn[1])
    w.link(sn[1], sn[2])
    const a = w.add('A', 'ordinary', 'alice')
    const b = w.add('B', 'ordinary', 'bob')
    b.files.push(file('holiday photos 2024.tar', 'bafyholiday'), file('notes.txt', 'bafynotes'))
    w.link(a, sn[0])
    w.link(b, sn[2])
    await w.clock.advance(6_000)
    // S1 learned S3 from S2's welcome and connected to it: the tier is a mesh.
    assert.ok(w.net.isConnected(asPeerKey('S1'), asPeerKey('S3')))
    const hits = await w.search(a, 'holiday photos')
    assert.equal(hits.length, 1)
    assert.equal(hits[0].file.link, 'bafyholiday')
    assert.equal(hits[0].peer, 'B')
    assert.deepEqual(hits[0].addrs, ['/sim/B'])
    assert.deepEqual(await w.search(a, 'nothing-matches-this'), [])
    // Children never see tier traffic: A is connected to its supernode only.
    assert.deepEqual(w.net.neighbours(a.key), [asPeerKey('S1')])
  })

  it('fails over to another supernode when its own crashes, and its name follows it', async () => {
    const w = world()
    const [s1, s2] = [w.add('S1', 'super'), w.add('S2', 'super')]
    const a = w.add('A', 'ordinary', 'alice')
    const b = w.add('B', 'ordinary', 'bob')
    w.link(s1, s2)
    w.link(a, s1)
    w.link(b, s2)
    await w.clock.advance(5_000)
    assert.equal((await w.status(a)).supernode, 'S1')
    s1.host.crash()
    await w.clock.advance(5_000)
    const st = await w.status(a)
    assert.equal(st.supernode, 'S2', 'A moved to S2')
    assert.equal(st.failovers, 1)
    assert.equal((await w.whereis(b, 'alice')).peer, 'A')
    assert.equal((await w.status(s2)).children, 2)
  })

  it('cuts off a child that floods index updates', async () => {
    const w = world()
    const s1 = w.add('S1', 'super', '', { maxUpdatesPerMinute: 5 })
    // checkIntervalMs 100 ms and a catalogue that changes every check: one update per tick.
    const f = w.add('F', 'ordinary', 'flooder', { checkIntervalMs: 100 })
    w.link(f, s1)
    for (let i = 0; i < 20; i++) {
      f.files.push(file(`junk ${i}`, `bafyjunk${i}`))
      await w.clock.advance(100)
    }
    const st = await w.status(s1)
    assert.equal(st.cutOff, 1)
    assert.equal(st.children, 0)
    assert.equal(st.indexedFiles, 0)
    // It keeps trying (with back-off) and stays refused.
    await w.clock.advance(10_000)
    assert.equal((await w.status(f)).supernode, undefined)
    assert.equal((await w.status(s1)).children, 0)
  })
})
