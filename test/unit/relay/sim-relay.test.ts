import assert from 'node:assert/strict'
import type { SharedFileInfo } from '../../../node/contracts.ts'
import { ActorSystem } from '../../../node/kernel/system.ts'
import { MemoryStore } from '../../../node/ports/memory-store.ts'
import { silentLogger } from '../../../node/ports/logger.ts'
import { asPeerKey, type NetPort, type PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SimNetwork, type SimHost } from '../../../node/sim/sim-network.ts'
import type { RelaySettings, RelayStatus, WhereResult } from '../../../protocols/relay/actor.ts'
import { defaultConfig } from '../../../config/peer-config.ts'
import { relayWire, type RelayMsg, type TierHit } from '../../../protocols/relay/messages.ts'
import { RelayError } from '../../../protocols/relay/errors.ts'
import { relayModule, type RelayApi } from '../../../protocols/relay/index.ts'
import { searchModule, type FloodHit, type SearchApi } from '../../../protocols/flood-search/index.ts'
import { ServiceRegistry } from '../../../node/plugin.ts'
import { SeededSigner } from '../../../node/ports/seeded-signer.ts'
import type { Signer } from '../../../node/ports/signer.ts'

const SEED = Number(process.env.SEED ?? 6)

interface SimNode {
  key: PeerKey
  host: SimHost
  sys: ActorSystem
  relay: RelayApi
  search?: SearchApi
  files: SharedFileInfo[]
}

function settings (role: 'super' | 'ordinary', over: Partial<RelaySettings> = {}): RelaySettings {
  const r = defaultConfig().relay
  return { ...r, role, attach: role === 'ordinary' ? 'always' : 'never', checkIntervalMs: 1000, refreshIntervalMs: 20_000, claimTtlMs: 60_000, ...over }
}

/**
 * Peers on the simulated network, each with the relay module installed as a real peer
 * installs it (relay actor, tier flood search, seeded signing keys); children also get
 * flood search, whose `search` routes through their supernode. `files` is the peer's
 * catalogue (service 'chunks').
 */
function world () {
  const clock = new VirtualClock()
  const net = new SimNetwork({ clock })
  const rnd = new SeededRandom(SEED)
  const nodes = new Map<string, SimNode>()
  const add = async (key: string, role: 'super' | 'ordinary', name = '', over: Partial<RelaySettings> = {}, signer?: Signer): Promise<SimNode> => {
    const host = net.addHost(key)
    host.behindNat = role === 'ordinary'
    const sys = new ActorSystem({ clock, random: rnd.fork(key), store: new MemoryStore(), logger: silentLogger, net: host })
    const files: SharedFileInfo[] = []
    const services = new ServiceRegistry()
    services.set('chunks', { listShared: async () => files })
    const ctx = { system: sys, services, self: asPeerKey(key), logger: silentLogger, signer: signer ?? new SeededSigner(asPeerKey(key)), peerName: name }
    const search = role === 'ordinary' ? await searchModule.install({ ...ctx, config: defaultConfig().search }) : undefined
    if (search !== undefined) services.set('search', search)
    const relay = await relayModule.install({ ...ctx, config: { ...defaultConfig().relay, ...settings(role, over) } })
    services.set('relay', relay)
    await sys.ready()
    const n: SimNode = { key: asPeerKey(key), host, sys, relay, files, ...(search !== undefined ? { search } : {}) }
    nodes.set(key, n)
    return n
  }
  /** Run the network until `p` settles (bounded in virtual time). */
  const run = async <R>(p: Promise<R>): Promise<R> => {
    let done = false
    p.then(() => { done = true }, () => { done = true })
    await clock.runWhile(() => !done, clock.now() + 60_000)
    return await p
  }
  const status = async (n: SimNode): Promise<RelayStatus> => await run(n.relay.status())
  const whereis = async (n: SimNode, name: string): Promise<WhereResult> => await run(n.relay.whereis(name))
  const search = async (n: SimNode, text: string): Promise<TierHit[]> => (await run(n.relay.search({ keywords: text.split(' '), timeoutMs: 2000 }))).hits
  /** `peerhive search` on a child: flood search's API, routed through the supernode. */
  const floodSearch = async (n: SimNode, text: string): Promise<FloodHit[]> => await run((async () => {
    const out: FloodHit[] = []
    for await (const h of (n.search as SearchApi).search(text, { timeoutMs: 2000 })) out.push(h)
    return out
  })())
  const link = (a: SimNode, b: SimNode): void => { assert.ok(net.connect(a.key, b.key), `${a.key} -> ${b.key}`) }
  return { clock, net, nodes, add, run, status, whereis, search, floodSearch, link }
}

/** A peer with no identity key to sign with: every signature it makes is empty. */
const unsignedSigner: Signer = { sign: async () => new Uint8Array(), verify: async () => false }

/**
 * A hostile peer speaking the relay wire directly: it presents itself as a supernode
 * (answers hello with role super) so its directory replication is read, and sends
 * whatever it likes.
 */
function rogueSupernode (net: SimNetwork, clock: VirtualClock, key: string) {
  const host = net.addHost(key)
  const sys = new ActorSystem({ clock, random: new SeededRandom(key), store: new MemoryStore(), logger: silentLogger, net: host })
  let port: NetPort<RelayMsg> | undefined
  sys.spawn<{ type: string }, RelayMsg>({
    name: 'relay',
    wire: relayWire,
    factory: (c) => {
      port = c.net
      return {
        receive: async (m: any) => {
          if (m.type === 'net:request' && m.msg.type === 'hello') m.respond.ok({ type: 'welcome', role: 'super', addrs: ['/sim/R'], supernodes: [] })
        }
      }
    }
  })
  return { key: asPeerKey(key), send: async (to: PeerKey, msg: RelayMsg) => { await (port as NetPort<RelayMsg>).send(to, msg) } }
}

const file = (name: string, link: string): SharedFileInfo => ({ link, name, size: 1000 + name.length })

describe('relay supernode layer (simulated network, virtual time)', () => {
  it('attaches NATed children, replicates names among supernodes and refuses a second key for an owned name', async () => {
    const w = world()
    const s1 = await w.add('S1', 'super')
    const s2 = await w.add('S2', 'super')
    const a = await w.add('A', 'ordinary', 'alice')
    const b = await w.add('B', 'ordinary', 'bob')
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
    const m = await w.add('M', 'ordinary', 'alice')
    w.link(m, s2)
    await w.clock.advance(5_000)
    assert.equal((await w.status(m)).nameState, 'refused')
    assert.equal((await w.whereis(b, 'alice')).peer, 'A')
    await assert.rejects(w.whereis(a, 'nobody'), (e: RelayError) => e.code === 'not-found')
  })

  it('answers a child\'s search from the group leaders\' indexes, flooding among supernodes only', async () => {
    const w = world()
    const sn = [await w.add('S1', 'super'), await w.add('S2', 'super'), await w.add('S3', 'super')]
    w.link(sn[0], sn[1])
    w.link(sn[1], sn[2])
    const a = await w.add('A', 'ordinary', 'alice')
    const b = await w.add('B', 'ordinary', 'bob')
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

    // `peerhive search` on the child (flood search's API) goes through its supernode too.
    const viaSearch = await w.floodSearch(a, 'Holiday')
    assert.deepEqual(viaSearch.map(h => [h.file.link, h.peer, h.addrs]), [['bafyholiday', 'B', ['/sim/B']]])
    // B's leader S3 answered; one tier hop to S1, one more to A.
    assert.equal(viaSearch[0].hops, 2)
    assert.match(viaSearch[0].guid, /^[0-9a-f]{32}$/)

    // The tier ran flood search's routing: every supernode accepted each of the three
    // queries once and dropped the copies that came round the mesh (GUID de-duplication).
    const stats = await Promise.all(sn.map(async n => await w.run(n.relay.tierStats())))
    for (const [i, st] of stats.entries()) if (i > 0) assert.equal(st?.queriesAccepted, 3, `S${i + 1} accepted each query once`)
    assert.ok(stats.reduce((n, st) => n + (st?.duplicateQueries ?? 0), 0) >= 3, JSON.stringify(stats.map(st => st?.duplicateQueries)))
    assert.equal(stats[2]?.queriesAnswered, 2, 'S3 answered for B twice (the third query matched nothing)')
    // Children never see tier traffic: A is connected to its supernode only, and no tier query reached a child.
    assert.deepEqual(w.net.neighbours(a.key), [asPeerKey('S1')])
    for (const c of [a, b]) assert.equal((await w.run(c.relay.tierStats()))?.received.query, 0)
  })

  it('refuses unsigned and mis-signed name claims, from children and in replication', async () => {
    const w = world()
    const s1 = await w.add('S1', 'super')
    const s2 = await w.add('S2', 'super')
    w.link(s1, s2)
    const a = await w.add('A', 'ordinary', 'alice')
    w.link(a, s1)
    await w.clock.advance(5_000)
    assert.equal((await w.status(a)).nameState, 'claimed')
    assert.equal((await w.whereis(s2, 'alice')).peer, 'A', 'replicated and verified on S2')

    // M signs its claim with A's key: the signature does not match M, so it is refused.
    const m = await w.add('M', 'ordinary', 'mallory', {}, new SeededSigner(asPeerKey('A')))
    w.link(m, s2)
    // N has no key to sign with: it claims nothing, and says so.
    const n = await w.add('N', 'ordinary', 'nobody-signs', {}, unsignedSigner)
    w.link(n, s2)
    await w.clock.advance(5_000)
    assert.equal((await w.status(m)).supernode, 'S2', 'M is still served, only its name is refused')
    assert.equal((await w.status(m)).nameState, 'refused')
    await assert.rejects(w.whereis(s1, 'mallory'), (e: RelayError) => e.code === 'not-found')
    await assert.rejects(w.whereis(s2, 'nobody-signs'), (e: RelayError) => e.code === 'not-found')

    // A rogue supernode replicates a forged entry (alice -> its own address, under A's key)
    // and an unsigned one: S1 checks each against its owner's key and refuses both.
    const rogue = rogueSupernode(w.net, w.clock, 'R')
    w.net.connect(rogue.key, s1.key)
    await w.clock.advance(2_000)
    assert.ok((await w.status(s1)).tier.includes(rogue.key), 'S1 took R for a supernode')
    const now = w.clock.now()
    await rogue.send(s1.key, {
      type: 'dir-sync',
      entries: [
        { name: 'alice', peer: asPeerKey('A'), addrs: ['/sim/R'], claimedAt: 0, ttlMs: 60_000, issuedAt: now + 1, sig: new Uint8Array(64).fill(7) },
        { name: 'carol', peer: asPeerKey('C'), addrs: ['/sim/R'], claimedAt: 0, ttlMs: 60_000, issuedAt: now, sig: new Uint8Array() }
      ]
    })
    await w.clock.advance(1_000)
    const alice = await w.whereis(s1, 'alice')
    assert.equal(alice.peer, 'A')
    assert.deepEqual(alice.addrs, ['/sim/A'], 'the forged address was not taken')
    await assert.rejects(w.whereis(s1, 'carol'), (e: RelayError) => e.code === 'not-found')
    assert.equal(w.net.host(s1.key)?.strikes.get(rogue.key), 1, 'S1 struck the supernode that passed forged entries on')
  })

  it('fails over to another supernode when its own crashes, and its name follows it', async () => {
    const w = world()
    const s1 = await w.add('S1', 'super')
    const s2 = await w.add('S2', 'super')
    const a = await w.add('A', 'ordinary', 'alice')
    const b = await w.add('B', 'ordinary', 'bob')
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
    const s1 = await w.add('S1', 'super', '', { maxUpdatesPerMinute: 5 })
    // checkIntervalMs 100 ms and a catalogue that changes every check: one update per tick.
    const f = await w.add('F', 'ordinary', 'flooder', { checkIntervalMs: 100 })
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
