import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { NetError, WireError } from '../../../node/errors.ts'
import type { ActorFactory } from '../../../node/kernel/actor.ts'
import type { RuntimePeer } from '../../../node/peer.ts'
import type { BulkSource, NetEvent, NetPort, PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { createSwarm, type ConfigOverrides, type Swarm } from '../../../node/swarm.ts'
import type { WireProtocol } from '../../../node/wire/codec.ts'
import { newProbeLog, probeActor, probeProtocol, type Probe, type ProbeLog } from '../../fixtures/probe-protocol.ts'

/**
 * The bulk-stream path and read backpressure on real libp2p (memory transport, Noise,
 * yamux): multi-MiB payloads arrive byte-identical, an over-cap stream is reset with a
 * typed error and a strike while the peer keeps serving others, and a reader slower than
 * the sender (a slow consumer, or a download cap far below the sender's rate) slows the
 * sender through stream pause/resume instead of overflowing libp2p's 4 MiB read buffer.
 */
const modulesOff = { dht: { enabled: false }, chunks: { enabled: false }, search: { enabled: false }, relay: { enabled: false } }
const MiB = 1024 * 1024
const bulkWire = (maxBulkBytes: number): WireProtocol<Probe> => ({ ...probeProtocol, id: '/peerhive-test/bulk-probe/1.0.0', maxBulkBytes })

interface BulkLog extends ProbeLog {
  bulks: Array<{ from: PeerKey, header: Probe, bytes?: Uint8Array, error?: Error, done: Promise<void>, progress: number }>
}

/** The probe actor plus bulk reception: each source is read detached, `readDelayMs` between pieces. */
function bulkActor (log: BulkLog, readDelayMs = 0): ActorFactory<NetEvent<Probe>, Probe> {
  const probe = probeActor(log)
  return (components) => {
    const inner = probe(components)
    return {
      async receive (ev) {
        if (ev.type !== 'net:bulk') { await inner.receive(ev); return }
        const rec: BulkLog['bulks'][number] = { from: ev.from, header: ev.header, done: Promise.resolve(), progress: 0 }
        rec.done = readAll(ev.source, readDelayMs, (n) => { rec.progress += n }).then(b => { rec.bytes = b }, (err: Error) => { rec.error = err })
        log.bulks.push(rec)
      }
    }
  }
}

async function readAll (source: BulkSource, delayMs: number, onRead: (n: number) => void = () => {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of source) {
    parts.push(p)
    onRead(p.length)
    if (delayMs > 0) await new Promise(resolve => setTimeout(resolve, delayMs))
  }
  return Buffer.concat(parts)
}

const payload = (n: number, seed: number): Uint8Array => new SeededRandom(seed).bytes(n)

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function until (cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  for (let i = 0; i < ms / 20 + 1 && !cond() && Date.now() < end; i++) await new Promise(resolve => setTimeout(resolve, 20))
  assert.ok(cond(), `timed out waiting for: ${what}`)
}

describe('runtime: bulk streams and read backpressure on libp2p (memory transport)', function () {
  this.timeout(60_000)
  const swarms: Swarm[] = []
  afterEach(async () => { await Promise.all(swarms.splice(0).map(async s => { await s.stop() })) })

  async function peer (over: ConfigOverrides = {}): Promise<RuntimePeer> {
    const s = await createSwarm({ size: 0, transport: 'memory', config: { ...modulesOff, ...over, node: { logLevel: 'error' }, net: { lowWater: 0, strikeLimit: 3, ...over.net } } })
    swarms.push(s)
    return s.bootstrap as RuntimePeer
  }

  function spawn (p: RuntimePeer, wire: WireProtocol<Probe>, readDelayMs = 0): BulkLog {
    const log: BulkLog = { ...newProbeLog(), bulks: [] }
    p.system.spawn({ name: 'probe', wire, factory: bulkActor(log, readDelayMs) })
    return log
  }

  async function link (a: RuntimePeer, b: RuntimePeer): Promise<void> {
    await a.net.ready()
    await b.net.ready()
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0])
  }

  const net = (log: ProbeLog): NetPort<Probe> => log.net as NetPort<Probe>

  it('a 6 MiB bulk payload arrives byte-identical while requests on the same protocol are answered', async () => {
    const [a, b] = [await peer(), await peer()]
    const la = spawn(a, bulkWire(16 * MiB))
    const lb = spawn(b, bulkWire(16 * MiB))
    await link(a, b)
    const data = payload(6 * MiB, 11)
    const w = await net(la).openBulk(b.id, { type: 'ping', n: data.length, text: 'file' })
    const sending = (async () => {
      for (let off = 0; off < data.length; off += 100_000) await w.write(data.subarray(off, off + 100_000))
      await w.close()
    })()
    // The frame channel is independent of the bulk stream.
    assert.deepEqual(await net(la).request(b.id, { type: 'ping', n: 1, text: 'meanwhile' }, { timeoutMs: 10_000 }), { type: 'ping', n: 1, text: 'meanwhile' })
    await sending
    await until(() => lb.bulks.length === 1, 5000, 'bulk event')
    await lb.bulks[0].done
    assert.equal(lb.bulks[0].error, undefined)
    assert.deepEqual(lb.bulks[0].header, { type: 'ping', n: data.length, text: 'file' })
    assert.equal(sha(lb.bulks[0].bytes as Uint8Array), sha(data))
    assert.equal(w.bytes, data.length)
    // The sender's own cap is enforced before anything leaves.
    const small = await net(la).openBulk(b.id, { type: 'ping', n: 0, text: 'small' })
    await assert.rejects(small.write(new Uint8Array(17 * MiB)), (e: Error) => e instanceof WireError && e.code === 'oversized')
  })

  it('an over-cap bulk stream is reset with a typed error and a strike; the peer keeps serving others', async () => {
    const [victim, bad, good] = [await peer(), await peer(), await peer()]
    const lv = spawn(victim, bulkWire(1 * MiB))
    // Same protocol id, but this peer believes in a 64 MiB cap: a broken or hostile sender.
    const lbad = spawn(bad, bulkWire(64 * MiB))
    const lgood = spawn(good, bulkWire(1 * MiB))
    await link(bad, victim)
    await link(good, victim)
    const w = await net(lbad).openBulk(victim.id, { type: 'ping', n: 0, text: 'too big' })
    const sent = (async () => {
      for (let i = 0; i < 48; i++) await w.write(payload(64 * 1024, i + 1))
      await w.close()
    })()
    await assert.rejects(sent, (e: Error) => e instanceof NetError || e.name === 'StreamResetError' || e.name === 'StreamStateError')
    await until(() => lv.bulks.length === 1, 5000, 'bulk event')
    await lv.bulks[0].done
    const err = lv.bulks[0].error
    assert.ok(err instanceof WireError && err.code === 'oversized', `receiver error: ${String(err)}`)
    assert.equal(lv.bulks[0].bytes, undefined)
    assert.equal(victim.banList.strikesOf(bad.id), 1)
    assert.ok(w.bytes < 3 * MiB, `the sender was stopped near the cap (wrote ${w.bytes})`)

    assert.deepEqual(await net(lgood).request(victim.id, { type: 'ping', n: 2, text: 'still there?' }, { timeoutMs: 5000 }), { type: 'ping', n: 2, text: 'still there?' })
    const data = payload(MiB - 1000, 4)
    const gw = await net(lgood).openBulk(victim.id, { type: 'ping', n: 3, text: 'fits' })
    await gw.write(data)
    await gw.close()
    await until(() => lv.bulks.length === 2, 5000, 'second bulk event')
    await lv.bulks[1].done
    assert.equal(sha(lv.bulks[1].bytes as Uint8Array), sha(data))
    assert.equal(victim.banList.strikesOf(good.id), 0)
  })

  it('a slow reader pauses the stream: a 12 MiB payload (3x the read buffer) arrives without an abort', async () => {
    const [a, b] = [await peer(), await peer()]
    const la = spawn(a, bulkWire(16 * MiB))
    const lb = spawn(b, bulkWire(16 * MiB), 15)
    await link(a, b)
    const data = payload(12 * MiB, 5)
    const w = await net(la).openBulk(b.id, { type: 'ping', n: 0, text: 'slow' })
    await w.write(data)
    await w.close()
    await lb.bulks[0].done
    assert.equal(lb.bulks[0].error, undefined)
    assert.equal(sha(lb.bulks[0].bytes as Uint8Array), sha(data))
  })

  describe('a download cap far below the sender\'s rate pushes back instead of failing', () => {
    const RATE = 4_000_000
    /** Bucket starts full (100 ms of rate), timers are coarse: allow 15% below ideal. */
    const minMs = (bytes: number): number => ((bytes - RATE * 0.1) / RATE) * 1000 * 0.85
    /** Far above the ideal, yet it catches a stall or a retry loop. */
    const maxMs = (bytes: number): number => (bytes / RATE) * 1000 * 2 + 2000
    /** Reader high-water (1 MiB) + one yamux window (2 MiB) + a frame or piece in the limiter, with slack. */
    const MAX_LEAD = 5 * MiB

    it('frames: 12 MiB of messages into a peer capped at 4 MB/s arrive in order at about the cap', async () => {
      const sender = await peer()
      const receiver = await peer({ net: { downloadBps: RATE } })
      const ls = spawn(sender, probeProtocol)
      const lr = spawn(receiver, probeProtocol)
      await link(sender, receiver)
      const BLOB = 60 * 1024
      const N = Math.ceil((12 * MiB) / BLOB)
      const t0 = Date.now()
      let lead = 0
      for (let n = 0; n < N; n++) {
        await net(ls).send(receiver.id, { type: 'blob', data: new Uint8Array(BLOB).fill(n & 0xff) })
        lead = Math.max(lead, (n + 1) * BLOB - lr.messages.length * BLOB)
      }
      // The sender is held, not buffered: it never gets further ahead than the reader's
      // high-water mark plus one yamux window (and what the cap lets through meanwhile).
      assert.ok(lead <= MAX_LEAD, `the sender got ${(lead / MiB).toFixed(1)} MiB ahead of the capped reader`)
      await until(() => lr.messages.length === N, 30_000, 'all blobs received')
      const ms = Date.now() - t0
      assert.deepEqual(lr.messages.map(m => (m.msg as { data: Uint8Array }).data[0]), Array.from({ length: N }, (_, i) => i & 0xff))
      assert.ok(ms >= minMs(N * BLOB), `took ${ms} ms, the cap allows no less than ${minMs(N * BLOB).toFixed(0)}`)
      assert.ok(ms <= maxMs(N * BLOB), `took ${ms} ms, about ${((N * BLOB) / RATE * 1000).toFixed(0)} expected at the cap`)
      assert.equal(receiver.banList.strikesOf(sender.id), 0)
    })

    it('bulk: an 8 MiB payload into the capped peer completes at about the cap, byte-identical', async () => {
      const sender = await peer()
      const receiver = await peer({ net: { downloadBps: RATE } })
      const ls = spawn(sender, bulkWire(16 * MiB))
      const lr = spawn(receiver, bulkWire(16 * MiB))
      await link(sender, receiver)
      const data = payload(8 * MiB, 21)
      const t0 = Date.now()
      const w = await net(ls).openBulk(receiver.id, { type: 'ping', n: 0, text: 'capped' })
      let lead = 0
      let read = 0
      const piece = 256 * 1024
      for (let off = 0; off < data.length; off += piece) {
        await w.write(data.subarray(off, off + piece))
        read = lr.bulks[0]?.progress ?? 0
        lead = Math.max(lead, w.bytes - read)
      }
      await w.close()
      assert.ok(lead <= MAX_LEAD, `the sender got ${(lead / MiB).toFixed(1)} MiB ahead of the capped reader`)
      // Timed at the reader: close() returns with up to MAX_LEAD still in flight to it.
      await lr.bulks[0].done
      const ms = Date.now() - t0
      assert.equal(sha(lr.bulks[0].bytes as Uint8Array), sha(data))
      assert.ok(ms >= minMs(data.length), `took ${ms} ms, the cap allows no less than ${minMs(data.length).toFixed(0)}`)
      assert.ok(ms <= maxMs(data.length), `took ${ms} ms, about ${(data.length / RATE * 1000).toFixed(0)} expected at the cap`)
    })
  })
})
