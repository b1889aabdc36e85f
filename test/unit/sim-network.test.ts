import assert from 'node:assert/strict'
import { ActorSystem } from '../../node/kernel/system.ts'
import type { ActorComponents } from '../../node/kernel/actor.ts'
import { VirtualClock } from '../../node/ports/virtual-clock.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { MemoryStore } from '../../node/ports/memory-store.ts'
import { silentLogger } from '../../node/ports/logger.ts'
import type { NetEvent, PeerKey } from '../../node/ports/net.ts'
import { SimNetwork } from '../../node/sim/sim-network.ts'
import type { WireProtocol } from '../../node/wire/codec.ts'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import { WireError } from '../../node/errors.ts'

/** A two-message protocol used only to exercise the net port. */
type Echo = { t: 'say', text: string } | { t: 'echo', text: string }
const echoWire: WireProtocol<Echo> = {
  id: '/peerhive/test-echo/1.0.0',
  maxMessageBytes: 64,
  codec: {
    encode: (m) => new ByteWriter().u8(m.t === 'say' ? 0 : 1).string(m.text).finish(),
    decode: (b) => {
      const r = new ByteReader(b, 'echo')
      const tag = r.u8('tag')
      if (tag > 1) throw new WireError('unknown-type', `echo tag ${tag}`)
      const text = r.string('text', 60)
      r.end()
      return tag === 0 ? { t: 'say', text } : { t: 'echo', text }
    }
  }
}

function echoActor (log: string[]) {
  return (c: ActorComponents<NetEvent<Echo>, Echo>) => ({
    receive (ev: NetEvent<Echo>) {
      if (ev.type === 'net:message') log.push(`${c.net.self}<-${ev.from}:${ev.msg.text}@${c.clock.now()}`)
      if (ev.type === 'net:request') ev.respond.ok({ t: 'echo', text: ev.msg.text.toUpperCase() })
    }
  })
}

describe('sim network', () => {
  it('delivers messages in order after latency, answers requests, and strikes garbage', async () => {
    const clock = new VirtualClock()
    const net = new SimNetwork({ clock })
    const log: string[] = []
    const systems = ['a', 'b'].map(name => {
      const host = net.addHost(name)
      const sys = new ActorSystem({ clock, random: new SeededRandom(name), store: new MemoryStore(), logger: silentLogger, net: host })
      const ref = sys.spawn({ name: 'echo', factory: echoActor(log), wire: echoWire })
      return { host, sys, ref }
    })
    await Promise.all(systems.map(async s => { await s.sys.ready() }))
    const [a, b] = systems
    const port = a.host.port(echoWire, async () => {})
    await port.send('b' as PeerKey, { t: 'say', text: 'one' })
    await port.send('b' as PeerKey, { t: 'say', text: 'two' })
    const reply = port.request('b' as PeerKey, { t: 'say', text: 'hi' })
    await clock.advance(100)
    assert.deepEqual(await reply, { t: 'echo', text: 'HI' })
    assert.deepEqual(log, ['b<-a:one@10', 'b<-a:two@10'])
    // Garbage frames: each costs a strike; past the limit the sender is banned.
    for (let i = 0; i < 5; i++) net.transmit('a' as PeerKey, 'b' as PeerKey, echoWire.id, new Uint8Array([1, 0, 9, 9]))
    await clock.advance(100)
    assert.ok(b.host.banned.has('a' as PeerKey))
    await assert.rejects(port.send('b' as PeerKey, { t: 'say', text: 'x' }))
    await assert.rejects(port.send('b' as PeerKey, { t: 'say', text: 'x'.repeat(100) }), (e: WireError) => e.code === 'oversized')
  })
})
