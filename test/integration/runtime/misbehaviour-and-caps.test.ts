import assert from 'node:assert/strict'
import type { RuntimePeer } from '../../../node/peer.ts'
import type { Codec, WireProtocol } from '../../../node/wire/codec.ts'
import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import { newProbeLog, probeActor, probeProtocol, type Probe, type ProbeLog } from '../../fixtures/probe-protocol.ts'

const modulesOff = { dht: { enabled: false }, chunks: { enabled: false }, search: { enabled: false }, relay: { enabled: false } }

async function until (cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  for (let i = 0; i < ms / 20 + 1 && !cond() && Date.now() < end; i++) await new Promise(resolve => setTimeout(resolve, 20))
  assert.ok(cond(), `timed out waiting for: ${what}`)
}

function spawnProbe (p: RuntimePeer, log: ProbeLog, wire: WireProtocol<Probe> = probeProtocol): void {
  p.system.spawn({ name: 'probe', wire, factory: probeActor(log) })
}

describe('runtime: a garbage-sending peer over TCP is banned while others are served', function () {
  this.timeout(60_000)
  const STRIKES = 3
  let swarm: Swarm
  const logs = [newProbeLog(), newProbeLog(), newProbeLog()]

  before(async () => {
    swarm = await createSwarm({ size: 3, transport: 'tcp', bootstrap: false, config: { node: { logLevel: 'error' }, net: { strikeLimit: STRIKES, lowWater: 0 }, ...modulesOff } })
    const [victim, good, attacker] = swarm.peers
    spawnProbe(victim, logs[0])
    spawnProbe(good, logs[1])
    // The attacker speaks the probe protocol id with a codec that writes junk: a real peer
    // with a broken (or hostile) implementation, using peerhive's own net adapter.
    const junk: Codec<Probe> = { encode: () => new Uint8Array([0xee, 0xff, 0x00, 0x01]), decode: probeProtocol.codec.decode }
    spawnProbe(attacker, logs[2], { ...probeProtocol, codec: junk })
    for (const p of swarm.peers) await p.net.ready()
    await swarm.waitConnected({ minConnections: 1, timeoutMs: 20_000 })
  })
  after(async () => { await swarm?.stop() })

  it(`strikes each malformed frame, bans at ${STRIKES}, refuses the banned peer, and keeps answering the good one`, async () => {
    const [victim, good, attacker] = swarm.peers
    const goodNet = logs[1].net
    const badNet = logs[2].net
    assert.ok(goodNet !== undefined && badNet !== undefined)
    let served = 0
    for (let i = 0; i < STRIKES; i++) {
      await badNet.send(victim.id, { type: 'ping', n: i, text: 'junk' })
      await until(() => victim.banList.strikesOf(attacker.id) === i + 1, 5000, `strike ${i + 1}`)
      assert.deepEqual(await goodNet.request(victim.id, { type: 'ping', n: i, text: 'ok' }, { timeoutMs: 5000 }), { type: 'ping', n: i, text: 'ok' })
      served++
    }
    assert.equal(served, STRIKES)
    assert.ok(victim.banList.isBanned(attacker.id))
    await until(() => victim.libp2p.getConnections(attacker.libp2p.peerId).length === 0, 5000, 'banned peer hung up')
    assert.equal(logs[0].messages.filter(m => m.from === attacker.id).length, 0, 'no junk reached the actor')
    await assert.rejects(badNet.send(victim.id, { type: 'ping', n: 9, text: 'again' }), (e: any) => e.name === 'NetError')
    assert.equal(victim.libp2p.getConnections(attacker.libp2p.peerId).length, 0, 'the gater refused the reconnect')
    assert.deepEqual(await goodNet.request(victim.id, { type: 'ping', n: 42, text: 'still ok' }, { timeoutMs: 5000 }), { type: 'ping', n: 42, text: 'still ok' })
    assert.equal(victim.banList.strikesOf(good.id), 0)
  })
})

describe('runtime: rate caps', function () {
  this.timeout(60_000)
  const RATE = 100_000 // bytes per second
  const BLOBS = 10
  const BLOB = 20_000 // bytes each: 200 kB in all, about 2 s at the cap
  const blob = (n: number): Probe => ({ type: 'blob', data: new Uint8Array(BLOB).fill(n) })
  /** The bucket may start full (100 ms of rate), and timers are coarse: allow 15% below ideal. */
  const minMs = ((BLOBS * BLOB - RATE * 0.1) / RATE) * 1000 * 0.85

  async function transfer (senderCfg: object, receiverCfg: object): Promise<number> {
    const extra: Swarm[] = []
    try {
      const mk = async (cfg: object): Promise<RuntimePeer> => {
        const s = await createSwarm({ size: 0, transport: 'memory', config: { ...modulesOff, ...cfg } })
        extra.push(s)
        return s.bootstrap as RuntimePeer
      }
      const sender = await mk(senderCfg)
      const receiver = await mk(receiverCfg)
      const sLog = newProbeLog()
      const rLog = newProbeLog()
      spawnProbe(sender, sLog)
      spawnProbe(receiver, rLog)
      await sender.net.ready()
      await receiver.net.ready()
      await sender.libp2p.dial(receiver.libp2p.getMultiaddrs()[0])
      const t0 = Date.now()
      for (let n = 0; n < BLOBS; n++) await sLog.net?.send(receiver.id, blob(n))
      await until(() => rLog.messages.length === BLOBS, 30_000, 'all blobs received')
      const ms = Date.now() - t0
      assert.deepEqual(rLog.messages.map(m => (m.msg as { data: Uint8Array }).data[0]), Array.from({ length: BLOBS }, (_, i) => i))
      return ms
    } finally {
      await Promise.all(extra.map(async s => { await s.stop() }))
    }
  }

  it('an upload cap per peer makes a 200 kB transfer take at least its size / rate', async () => {
    const ms = await transfer({ net: { peerUploadBps: RATE, lowWater: 0 } }, { net: { lowWater: 0 } })
    assert.ok(ms >= minMs, `capped upload took ${ms} ms, expected >= ${minMs.toFixed(0)} ms`)
  })

  it('a total download cap on the receiver does the same from the other side', async () => {
    const ms = await transfer({ net: { lowWater: 0 } }, { net: { downloadBps: RATE, lowWater: 0 } })
    assert.ok(ms >= minMs, `capped download took ${ms} ms, expected >= ${minMs.toFixed(0)} ms`)
  })
})
