import assert from 'node:assert/strict'
import type { RuntimePeer } from '../../../node/peer.ts'
import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import { newProbeLog, probeActor, probeProtocol, type Probe, type ProbeLog } from '../../fixtures/probe-protocol.ts'

const modulesOff = { dht: { enabled: false }, chunks: { enabled: false }, search: { enabled: false }, relay: { enabled: false } }

describe('runtime: 20 peers over TCP on 127.0.0.1 through one bootstrap peer', function () {
  this.timeout(60_000)
  let swarm: Swarm

  before(async () => {
    swarm = await createSwarm({ size: 20, transport: 'tcp' })
  })
  after(async () => { await swarm?.stop() })

  it('joins every peer with at least 3 connections, learnt beyond the bootstrap list', async () => {
    await swarm.waitConnected({ minConnections: 3, timeoutMs: 30_000 })
    const boot = swarm.bootstrap as RuntimePeer
    for (const p of swarm.peers) {
      const conns = p.status().connections
      assert.ok(conns.length >= 3, `${p.id} has ${conns.length} connections`)
      assert.ok(conns.every(c => c.addr.startsWith('/ip4/127.0.0.1/tcp/')), 'loopback only')
      // Only the bootstrap address was configured: the rest came from peer exchange.
      assert.ok(conns.some(c => c.peer !== boot.id), `${p.id} connected beyond the bootstrap peer`)
    }
    assert.ok(boot.libp2p.getPeers().length >= 10, 'the bootstrap peer saw the joiners')
  })
})

describe('runtime: the net port over libp2p (memory transport)', function () {
  this.timeout(60_000)
  let swarm: Swarm
  const logs: ProbeLog[] = []

  before(async () => {
    swarm = await createSwarm({ size: 6, transport: 'memory', config: { net: { lowWater: 2 }, ...modulesOff } })
    for (const p of swarm.all()) {
      const log = newProbeLog()
      logs.push(log)
      p.system.spawn({ name: 'probe', wire: probeProtocol, factory: probeActor(log) })
      await p.net.ready()
    }
    await swarm.waitConnected({ minConnections: 2, timeoutMs: 20_000 })
  })
  after(async () => { await swarm?.stop() })

  it('delivers one-way messages in order and answers requests, dialling a known but unconnected peer', async () => {
    const all = swarm.all()
    const a = all[1]
    const aNet = logs[1].net
    assert.ok(aNet !== undefined)
    // A peer `a` knows (via peer exchange) but is not connected to; without one, `a` hangs up
    // on a neighbour first. (A connection made before the probe actor existed would never
    // show as net:connect in its log either.)
    const connected = new Set(a.libp2p.getPeers().map(String))
    const known = new Set(await a.knownPeers())
    let idx = all.findIndex((p, i) => i !== 1 && !connected.has(p.id) && known.has(p.id))
    if (idx < 0) {
      idx = all.findIndex((p, i) => i !== 1 && known.has(p.id))
      await a.libp2p.hangUp(all[idx].libp2p.peerId)
    }
    assert.ok(idx >= 0, 'a knows some other peer')
    const b = all[idx]
    for (let n = 0; n < 200; n++) await aNet.send(b.id, { type: 'ping', n, text: `m${n}` })
    const res = await aNet.request(b.id, { type: 'ping', n: 7, text: 'echo me' })
    assert.deepEqual(res, { type: 'ping', n: 7, text: 'echo me' })
    const got = logs[idx].messages.filter(m => m.from === a.id).map(m => (m.msg as Extract<Probe, { type: 'ping' }>).n)
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i), 'in order, none lost')
    assert.ok(a.libp2p.getPeers().some(p => p.toString() === b.id), 'connected after sending')
    assert.ok(logs[idx].connects.includes(a.id), 'the receiving actor saw net:connect')
  })

  it('rejects a send to a peer with no known address (not-connected) and an oversized outgoing message (oversized)', async () => {
    const aNet = logs[1].net
    assert.ok(aNet !== undefined)
    const unknown = (await import('@libp2p/crypto/keys')).generateKeyPair
    const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
    const stranger = peerIdFromPrivateKey(await unknown('Ed25519')).toString() as any
    await assert.rejects(aNet.send(stranger, { type: 'ping', n: 1, text: 'x' }), (e: any) => e.name === 'NetError' && e.code === 'not-connected')
    await assert.rejects(aNet.send(swarm.all()[2].id, { type: 'blob', data: new Uint8Array(70 * 1024) }), (e: any) => e.name === 'WireError' && e.code === 'oversized')
  })
})
