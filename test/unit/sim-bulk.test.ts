import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { NetError, WireError } from '../../node/errors.ts'
import type { ActorComponents } from '../../node/kernel/actor.ts'
import { ActorSystem } from '../../node/kernel/system.ts'
import { silentLogger } from '../../node/ports/logger.ts'
import { MemoryStore } from '../../node/ports/memory-store.ts'
import { asPeerKey, type BulkSource, type NetEvent, type NetPort, type PeerKey } from '../../node/ports/net.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { VirtualClock } from '../../node/ports/virtual-clock.ts'
import { SIM_BULK_WINDOW_BYTES } from '../../node/sim/sim-bulk.ts'
import { SimNetwork, type SimHost } from '../../node/sim/sim-network.ts'
import { ByteReader, ByteWriter } from '../../node/wire/bytes.ts'
import type { WireProtocol } from '../../node/wire/codec.ts'

/**
 * Bulk streams on the simulated network: payloads arrive byte-identical through the
 * shaped links (so a capacity shows in virtual time), a reader that does not read holds
 * the sender to one window, an over-cap stream is reset with a typed error and a strike
 * while the peer keeps serving others, and a dropped connection fails both ends.
 */
type Blob = { t: 'file', name: string, size: number } | { t: 'hi', n: number }
const MAX_BULK = 8 * 1024 * 1024
const blobWire = (maxBulkBytes: number): WireProtocol<Blob> => ({
  id: '/peerhive/test-blob/1.0.0',
  maxMessageBytes: 256,
  maxBulkBytes,
  codec: {
    encode: (m) => m.t === 'file' ? new ByteWriter().u8(0).string(m.name).varint(m.size).finish() : new ByteWriter().u8(1).varint(m.n).finish(),
    decode: (b) => {
      const r = new ByteReader(b, 'blob')
      const tag = r.u8('tag')
      let m: Blob
      if (tag === 0) m = { t: 'file', name: r.string('name', 64), size: r.varint('size') }
      else if (tag === 1) m = { t: 'hi', n: r.varint('n') }
      else throw new WireError('unknown-type', `blob tag ${tag}`)
      r.end()
      return m
    }
  }
})

interface Received { from: PeerKey, header: Blob, bytes?: Uint8Array, error?: Error }
interface Node { host: SimHost, sys: ActorSystem, net: NetPort<Blob>, got: Received[], messages: Blob[], sources: BulkSource[] }

/** Records messages; reads bulk streams detached (or, with `hold`, keeps them unread). */
function blobActor (node: Omit<Node, 'net'> & { net?: NetPort<Blob> }, hold: boolean) {
  return (c: ActorComponents<NetEvent<Blob>, Blob>) => {
    node.net = c.net
    return {
      receive (ev: NetEvent<Blob>) {
        if (ev.type === 'net:message') node.messages.push(ev.msg)
        if (ev.type !== 'net:bulk') return
        node.sources.push(ev.source)
        if (hold) return
        const rec: Received = { from: ev.from, header: ev.header }
        node.got.push(rec)
        void (async () => {
          const parts: Uint8Array[] = []
          try {
            for await (const p of ev.source) parts.push(p)
            rec.bytes = Buffer.concat(parts)
          } catch (err) {
            rec.error = err as Error
          }
        })()
      }
    }
  }
}

const payload = (n: number, seed: number): Uint8Array => new SeededRandom(seed).bytes(n)

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function world (names: string[], opts: { hold?: string[], maxBulk?: Record<string, number>, lossRate?: number } = {}): Promise<{ clock: VirtualClock, sim: SimNetwork, nodes: Record<string, Node> }> {
  const clock = new VirtualClock()
  const sim = new SimNetwork({ clock, strikeLimit: 3, lossRate: opts.lossRate ?? 0, random: new SeededRandom('sim-bulk') })
  const nodes: Record<string, Node> = {}
  for (const name of names) {
    const host = sim.addHost(name)
    const sys = new ActorSystem({ clock, random: new SeededRandom(name), store: new MemoryStore(), logger: silentLogger, net: host })
    const node = { host, sys, got: [], messages: [], sources: [] } as unknown as Node
    sys.spawn({ name: 'blob', wire: blobWire(opts.maxBulk?.[name] ?? MAX_BULK), factory: blobActor(node, opts.hold?.includes(name) === true) })
    await sys.ready()
    nodes[name] = node
  }
  return { clock, sim, nodes }
}

const k = asPeerKey

describe('sim network: bulk streams', function () {
  this.timeout(30_000)

  it('a 5 MiB payload arrives byte-identical at the pace of the sender\'s uplink (loss does not touch streams)', async () => {
    const { clock, nodes } = await world(['a', 'b'], { lossRate: 0.2 })
    const RATE = 1_000_000
    nodes.a.host.setCapacity(RATE, 0)
    const data = payload(5 * 1024 * 1024, 7)
    const w = await nodes.a.net.openBulk(k('b'), { t: 'file', name: 'x.bin', size: data.length })
    let closed = false
    const sending = (async () => {
      for (let off = 0; off < data.length; off += 100_000) await w.write(data.subarray(off, off + 100_000))
      await w.close()
      closed = true
    })()
    await clock.runWhile(() => !closed, 60_000)
    await sending
    assert.equal(w.bytes, data.length)
    const got = nodes.b.got[0]
    assert.deepEqual(got.header, { t: 'file', name: 'x.bin', size: data.length })
    assert.equal(got.error, undefined)
    assert.equal(sha(got.bytes as Uint8Array), sha(data))
    const ideal = (data.length / RATE) * 1000
    assert.ok(clock.now() >= ideal, `took ${clock.now()} ms of virtual time, the uplink needs ${ideal.toFixed(0)}`)
    assert.ok(clock.now() <= ideal * 1.2 + 500, `took ${clock.now()} ms of virtual time, expected about ${ideal.toFixed(0)}`)
  })

  it('a reader that does not read holds the sender to one window; reading releases it', async () => {
    const { clock, nodes } = await world(['a', 'b'], { hold: ['b'] })
    const data = payload(2 * 1024 * 1024, 3)
    const w = await nodes.a.net.openBulk(k('b'), { t: 'file', name: 'held', size: data.length })
    let done = false
    const sending = (async () => { await w.write(data); await w.close(); done = true })()
    await clock.advance(5_000)
    assert.equal(done, false)
    assert.ok(w.bytes <= SIM_BULK_WINDOW_BYTES, `${w.bytes} bytes left the sender with nobody reading`)
    assert.ok(w.bytes > 0)
    const source = nodes.b.sources[0]
    const parts: Uint8Array[] = []
    const reading = (async () => { for await (const p of source) parts.push(p) })()
    await clock.runWhile(() => !done, 60_000)
    await sending
    await reading
    assert.equal(sha(Buffer.concat(parts)), sha(data))
  })

  it('an over-cap stream is reset with a typed error and a strike; the receiver keeps serving others', async () => {
    // The attacker's wire claims a larger cap than the receiver accepts (a broken or hostile peer).
    const { clock, nodes } = await world(['victim', 'bad', 'good'], { maxBulk: { victim: 1024 * 1024, bad: 64 * 1024 * 1024 } })
    const w = await nodes.bad.net.openBulk(k('victim'), { t: 'file', name: 'too big', size: 3 * 1024 * 1024 })
    let writeError: Error | undefined
    const sending = (async () => {
      try {
        for (let i = 0; i < 48; i++) await w.write(payload(64 * 1024, i + 1))
        await w.close()
      } catch (err) { writeError = err as Error }
    })()
    await clock.runWhile(() => writeError === undefined, 30_000)
    await sending
    const rec = nodes.victim.got[0]
    assert.ok(rec.error instanceof WireError && rec.error.code === 'oversized', `receiver error: ${String(rec.error)}`)
    assert.equal(rec.bytes, undefined, 'nothing of an over-cap payload is handed over as complete')
    assert.equal(nodes.victim.host.strikes.get(k('bad')), 1)
    assert.ok(writeError instanceof NetError && writeError.code === 'closed', `sender error: ${String(writeError)}`)
    assert.ok(w.bytes < 2 * 1024 * 1024, 'the sender was stopped near the cap')

    // Meanwhile and after: the good peer is served, by message and by bulk.
    await nodes.good.net.send(k('victim'), { t: 'hi', n: 1 })
    const data = payload(300_000, 9)
    const gw = await nodes.good.net.openBulk(k('victim'), { t: 'file', name: 'ok', size: data.length })
    let ok = false
    void (async () => { await gw.write(data); await gw.close(); ok = true })()
    await clock.runWhile(() => !ok, 30_000)
    assert.deepEqual(nodes.victim.messages, [{ t: 'hi', n: 1 }])
    assert.equal(sha(nodes.victim.got[1].bytes as Uint8Array), sha(data))
  })

  it('a dropped connection fails both ends with NetError closed', async () => {
    const { clock, sim, nodes } = await world(['a', 'b'])
    nodes.a.host.setCapacity(100_000, 0)
    const w = await nodes.a.net.openBulk(k('b'), { t: 'file', name: 'cut', size: 1_000_000 })
    let writeError: Error | undefined
    void (async () => {
      try { await w.write(payload(1_000_000, 5)); await w.close() } catch (err) { writeError = err as Error }
    })()
    await clock.advance(1_000)
    sim.disconnect(k('a'), k('b'))
    await clock.runWhile(() => writeError === undefined || nodes.b.got[0]?.error === undefined, 10_000)
    assert.ok(writeError instanceof NetError && writeError.code === 'closed')
    assert.ok(nodes.b.got[0].error instanceof NetError)
  })

  it('a protocol without maxBulkBytes has no bulk path', async () => {
    const clock = new VirtualClock()
    const sim = new SimNetwork({ clock })
    const host = sim.addHost('solo')
    sim.addHost('other')
    const { maxBulkBytes: _, ...plain } = blobWire(1)
    const port = host.port(plain, async () => {})
    await assert.rejects(port.openBulk(k('other'), { t: 'hi', n: 0 }), (e: NetError) => e instanceof NetError && e.code === 'closed')
  })
})
