import assert from 'node:assert/strict'
import { ActorSystem } from '../../node/kernel/system.ts'
import type { ActorComponents } from '../../node/kernel/actor.ts'
import { VirtualClock } from '../../node/ports/virtual-clock.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { MemoryStore } from '../../node/ports/memory-store.ts'
import { silentLogger } from '../../node/ports/logger.ts'
import type { NetEvent, PeerKey } from '../../node/ports/net.ts'
import { SIM_SEND_BUFFER_MS, SimNetwork } from '../../node/sim/sim-network.ts'
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

/** Payloads of any size up to 16 KiB, as a piece: the codec is the bytes themselves. */
const blobWire: WireProtocol<Uint8Array> = {
  id: '/peerhive/test-blob/1.0.0',
  maxMessageBytes: 16 * 1024,
  codec: { encode: (m) => m, decode: (b) => b.slice() }
}

describe('sim network send buffer (a capped uplink pushes back on its senders)', () => {
  /** Host `a` with a 1 KiB/s uplink, `b` and `c` uncapped; `a`'s send port and its uplink. */
  function capped () {
    const clock = new VirtualClock()
    const net = new SimNetwork({ clock })
    const a = net.addHost('a')
    a.setCapacity(1024, 0)
    net.addHost('b')
    net.addHost('c')
    const port = a.port(blobWire, async () => {})
    return { clock, a, port, limit: (1024 * SIM_SEND_BUFFER_MS) / 1000 }
  }

  it('never has more than the buffer taken and unserved, and resolves a frame larger than it once it drained', async () => {
    const { clock, a, port, limit } = capped()
    const resolved: Array<{ to: string, bytes: number, at: number, outstanding: number }> = []
    let taken = 0
    const sends: Array<Promise<void>> = []
    for (const to of ['b', 'c']) {
      for (const bytes of [2000, 40, 2000, 40]) {
        sends.push(port.send(to as PeerKey, new Uint8Array(bytes)).then(() => {
          taken += bytes + 2 // the envelope's version and kind bytes
          resolved.push({ to, bytes, at: clock.now(), outstanding: taken - a.uplink().served })
        }))
      }
    }
    await clock.runUntil(60_000)
    await Promise.all(sends)
    assert.equal(resolved.length, 8)
    for (const r of resolved) assert.ok(r.outstanding <= limit + 1e-9, `${r.bytes} B to ${r.to} resolved at ${r.at} ms with ${r.outstanding} B taken and unserved (buffer ${limit} B)`)
    // Both remotes share 1 KiB/s: each first 2,002-byte frame is served at 512 B/s, in 3.9 s,
    // and resolves then, not when it started (which let a sender queue without bound).
    const first = resolved.find(r => r.to === 'b' && r.bytes === 2000)
    assert.ok(first !== undefined && first.at >= (2002 * 1000) / 512 - 1, `the first 2,000-byte send resolved at ${first?.at} ms`)
  })

  it('paces a sender that awaits each send to the uplink rate', async () => {
    const { clock, a, port, limit } = capped()
    let done = -1
    void (async () => {
      for (let i = 0; i < 10; i++) await port.send('b' as PeerKey, new Uint8Array(1022))
      done = clock.now()
    })()
    await clock.runUntil(60_000)
    // 10 x 1,024 bytes at 1,024 B/s: the last send resolves as its bytes drain, at 10 s.
    assert.ok(Math.abs(done - 10_000) <= 1, `the tenth send resolved at ${done} ms`)
    assert.ok(a.uplink().bufferedBytes <= limit)
  })
})
