import assert from 'node:assert/strict'
import type { Stream } from '@libp2p/interface'
import { CHANNEL_IDLE_CLOSE_MS, KEEPALIVE_INTERVAL_MS } from '../../../node/host/constants.ts'
import type { RuntimePeer } from '../../../node/peer.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import { newProbeLog, probeActor, probeProtocol } from '../../fixtures/probe-protocol.ts'

const modulesOff = { dht: { enabled: false }, chunks: { enabled: false }, search: { enabled: false }, relay: { enabled: false } }

/** Real libp2p does its I/O in real time: poll (bounded) for what it delivers. */
async function until (cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  for (let i = 0; i < ms / 10 + 1 && !cond() && Date.now() < end; i++) await new Promise(resolve => setTimeout(resolve, 10))
  assert.ok(cond(), `timed out waiting for: ${what}`)
}

function probeStream (at: RuntimePeer, from: RuntimePeer): Stream | undefined {
  return at.libp2p.getConnections(from.libp2p.peerId).flatMap(c => c.streams).find(s => s.protocol === probeProtocol.id)
}

/**
 * The net adapter's channel upkeep on virtual time over real libp2p streams (memory
 * transport): libp2p aborts a stream silent for 120 s, so a quiet channel sends a
 * keep-alive frame after KEEPALIVE_INTERVAL_MS; a channel that carried no real frame for
 * CHANNEL_IDLE_CLOSE_MS is closed all the same (keep-alives must not keep it forever),
 * and the next send opens a new one.
 */
describe('runtime: keep-alive frames and idle channels, on virtual time', function () {
  this.timeout(30_000)
  const clock = new VirtualClock()
  let swarm: Swarm
  const la = newProbeLog()
  const lb = newProbeLog()

  before(async () => {
    swarm = await createSwarm({ size: 2, transport: 'memory', bootstrap: false, config: { node: { logLevel: 'error' }, ...modulesOff }, peerOptions: { clock } })
    const [a, b] = swarm.peers
    a.system.spawn({ name: 'probe', wire: probeProtocol, factory: probeActor(la) })
    b.system.spawn({ name: 'probe', wire: probeProtocol, factory: probeActor(lb) })
    for (const p of swarm.peers) await p.net.ready()
    await swarm.waitConnected({ minConnections: 1, timeoutMs: 10_000 })
  })
  after(async () => { await swarm?.stop() })

  it('a quiet channel gets keep-alives (not delivered as messages); one idle past the limit is closed and reopened on demand', async () => {
    const [a, b] = swarm.peers
    assert.ok(la.net !== undefined)
    await la.net.send(b.id, { type: 'ping', n: 1, text: 'hello' })
    await until(() => lb.messages.length === 1, 5000, 'the first ping')
    const inbound = probeStream(b, a)
    assert.ok(inbound !== undefined, 'b holds the probe stream a opened')
    let keepAliveBytes = 0
    inbound.addEventListener('message', (evt) => { keepAliveBytes += evt.data.byteLength })

    // Below the interval nothing is sent (the sweep runs every half interval).
    await clock.advance(KEEPALIVE_INTERVAL_MS - 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    assert.equal(keepAliveBytes, 0, 'no frame before the keep-alive interval')

    // Past it, a keep-alive crosses the stream, and the actor sees nothing new.
    await clock.advance(KEEPALIVE_INTERVAL_MS / 2 + 1)
    await until(() => keepAliveBytes > 0, 5000, 'a keep-alive frame on the quiet stream')
    assert.ok(keepAliveBytes < 16, `a keep-alive is a few bytes, got ${keepAliveBytes}`)
    assert.equal(lb.messages.length, 1, 'keep-alives are not messages')
    assert.equal(inbound.status, 'open')

    // Keep-alives flow all along, yet the channel carried nothing real: it is closed.
    await clock.advance(CHANNEL_IDLE_CLOSE_MS)
    await until(() => inbound.status !== 'open', 5000, 'the idle channel closed')
    assert.ok(keepAliveBytes > 2 * 3, 'keep-alives kept coming while idle')

    // The next send opens a fresh stream and is delivered.
    await la.net.send(b.id, { type: 'ping', n: 2, text: 'again' })
    await until(() => lb.messages.length === 2, 5000, 'the ping after the idle close')
    assert.deepEqual(lb.messages[1].msg, { type: 'ping', n: 2, text: 'again' })
    const fresh = probeStream(b, a)
    assert.ok(fresh !== undefined && fresh !== inbound && fresh.status === 'open')
  })
})
