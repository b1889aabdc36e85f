import assert from 'node:assert/strict'
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { WireError } from '../../node/errors.ts'
import { ENVELOPE_OVERHEAD_BYTES } from '../../node/host/constants.ts'
import type { RuntimePeer } from '../../node/peer.ts'
import { createLogger, MemorySink } from '../../node/ports/logger.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { createSwarm, type Swarm } from '../../node/swarm.ts'
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../../node/wire/envelope.ts'
import { decodePexPeers, encodePexPeers } from '../../node/host/pex-messages.ts'
import { newProbeLog, PROBE_MAX_MESSAGE_BYTES, probeActor, probeCodec, probeProtocol, type Probe, type ProbeLog } from '../fixtures/probe-protocol.ts'

const SEED = process.env.FUZZ_SEED ?? String(Date.now() % 1_000_000)

/** Run a randomised block; on failure say how to reproduce it. */
function seeded (name: string, fn: (rng: SeededRandom) => void): void {
  const rng = new SeededRandom(`${SEED}:${name}`)
  try {
    fn(rng)
  } catch (err) {
    const e = err as Error
    e.message = `${e.message}\n    reproduce with seed=${SEED} (FUZZ_SEED=${SEED} npx mocha test/unit/codec-fuzz.test.ts)`
    throw e
  }
}

/** Decoding must either succeed or throw a WireError: never a RangeError, TypeError or a crash. */
function decodeOrWireError<T> (decode: (b: Uint8Array) => T, input: Uint8Array): { ok: true, value: T } | { ok: false, err: WireError } {
  try {
    return { ok: true, value: decode(input) }
  } catch (err) {
    if (!(err instanceof WireError)) {
      throw new Error(`non-WireError ${(err as Error)?.name}: ${(err as Error)?.message} for input ${Buffer.from(input).toString('hex')}`)
    }
    return { ok: false, err }
  }
}

function randomProbe (rng: SeededRandom): Probe {
  if (rng.next() < 0.5) {
    const chars = 'abcdefghijklmnopqrstuvwxyz é€'
    let text = ''
    for (let i = rng.int(40); i > 0; i--) text += chars[rng.int(chars.length)]
    return { type: 'ping', n: rng.int(2 ** 32), text }
  }
  return { type: 'blob', data: rng.bytes(rng.int(300)) }
}

describe('codec fuzz: envelope and ByteReader decoding', function () {
  it(`decodeEnvelope rejects random garbage with a WireError only (seed=${SEED})`, () => {
    seeded('envelope-garbage', rng => {
      let rejected = 0
      for (let i = 0; i < 5000; i++) {
        const input = rng.bytes(rng.int(48))
        // Half the inputs start with a valid version byte, so kinds and ids get exercised too.
        if (input.length > 0 && rng.next() < 0.5) input[0] = 1
        const r = decodeOrWireError(decodeEnvelope, input)
        if (!r.ok) rejected++
        else assert.ok(['message', 'request', 'response', 'error', 'keepalive'].includes(r.value.kind))
      }
      assert.ok(rejected > 2000, `expected most garbage rejected, got ${rejected}`)
    })
  })

  it('decodeEnvelope: bad version, unknown kind, truncated id and trailing keep-alive bytes are each rejected with their code', () => {
    const code = (b: number[]): string => { const r = decodeOrWireError(decodeEnvelope, new Uint8Array(b)); assert.equal(r.ok, false); return (r as { err: WireError }).err.code }
    assert.equal(code([]), 'truncated')
    assert.equal(code([2, 0]), 'bad-version')
    assert.equal(code([1, 9]), 'unknown-type')
    assert.equal(code([1, 1, 0x80]), 'truncated')
    assert.equal(code([1, 4, 0]), 'invalid')
    assert.equal(code([1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 'invalid')
  })

  it(`envelopes round-trip and every truncation of a request/response is either rejected or a shorter valid frame (seed=${SEED})`, () => {
    seeded('envelope-roundtrip', rng => {
      for (let i = 0; i < 1000; i++) {
        const payload = rng.bytes(rng.int(64))
        const kinds: Envelope[] = [
          { kind: 'message', payload },
          { kind: 'request', id: rng.int(2 ** 40), payload },
          { kind: 'response', id: rng.int(1000), payload },
          { kind: 'error', id: rng.int(1000), message: 'nope' },
          { kind: 'keepalive' }
        ]
        const e = kinds[rng.int(kinds.length)]
        const bytes = encodeEnvelope(e)
        assert.deepEqual(decodeEnvelope(bytes), e)
        for (let cut = 0; cut < Math.min(bytes.length, 12); cut++) decodeOrWireError(decodeEnvelope, bytes.subarray(0, cut))
      }
    })
  })

  it(`a ByteReader codec rejects garbage, every truncation and oversized lengths; accepted inputs are canonical (seed=${SEED})`, () => {
    seeded('probe-codec', rng => {
      let garbageRejected = 0
      for (let i = 0; i < 5000; i++) {
        const r = decodeOrWireError(probeCodec.decode, rng.bytes(rng.int(64)))
        if (!r.ok) garbageRejected++
        else assert.deepEqual(probeCodec.encode(r.value).length > 0, true)
      }
      assert.ok(garbageRejected > 4000, `garbage mostly rejected: ${garbageRejected}`)
      let truncations = 0
      for (let i = 0; i < 300; i++) {
        const m = randomProbe(rng)
        const bytes = probeCodec.encode(m)
        assert.deepEqual(probeCodec.decode(bytes), m)
        // Every strict prefix must fail: all fields are fixed-size or length-prefixed.
        for (let cut = 0; cut < bytes.length; cut++) {
          const r = decodeOrWireError(probeCodec.decode, bytes.subarray(0, cut))
          assert.equal(r.ok, false, `prefix of ${cut}/${bytes.length} bytes accepted`)
          truncations++
        }
        // Trailing garbage is rejected too.
        const longer = new Uint8Array([...bytes, rng.int(256)])
        assert.equal(decodeOrWireError(probeCodec.decode, longer).ok, false)
        // One flipped byte: either still a valid, canonical message or a WireError.
        const flipped = bytes.slice()
        flipped[rng.int(flipped.length)] ^= 1 + rng.int(255)
        const f = decodeOrWireError(probeCodec.decode, flipped)
        if (f.ok) assert.deepEqual(probeCodec.encode(f.value), flipped)
      }
      assert.ok(truncations > 1000)
      // Declared lengths beyond the limits: oversized, before any allocation.
      const hugeText = new Uint8Array([0, 0, 0, 0, 1, 0xff, 0x7f])
      assert.equal((decodeOrWireError(probeCodec.decode, hugeText) as { err: WireError }).err.code, 'oversized')
      const hugeBlob = new Uint8Array([1, 0xff, 0xff, 0xff, 0x7f])
      assert.equal((decodeOrWireError(probeCodec.decode, hugeBlob) as { err: WireError }).err.code, 'oversized')
    })
  })
})

describe('codec fuzz: the host\'s peer-exchange answer', function () {
  it(`decodePexPeers round-trips, and rejects garbage and every truncation with a WireError only (seed=${SEED})`, () => {
    seeded('pex', rng => {
      for (let i = 0; i < 3000; i++) decodeOrWireError(decodePexPeers, rng.bytes(rng.int(80)))
      for (let i = 0; i < 200; i++) {
        const peers = Array.from({ length: rng.int(5) }, (_, k) => ({ id: `12D3KooW${k}${rng.int(1e9)}`, addrs: Array.from({ length: 1 + rng.int(3) }, () => `/ip4/127.0.0.1/tcp/${rng.int(65536)}`) }))
        const bytes = encodePexPeers(peers)
        assert.deepEqual(decodePexPeers(bytes), peers)
        for (let cut = 0; cut < bytes.length; cut++) assert.equal(decodeOrWireError(decodePexPeers, bytes.subarray(0, cut)).ok, false, `pex prefix ${cut}/${bytes.length} accepted`)
      }
      // Counts past the limits are refused before anything is read.
      assert.equal((decodeOrWireError(decodePexPeers, new Uint8Array([0xff, 0x01])) as { err: WireError }).err.code, 'oversized')
      assert.equal((decodeOrWireError(decodePexPeers, new Uint8Array([1, 1, 0x41, 0x7f])) as { err: WireError }).err.code, 'oversized')
      assert.equal((decodeOrWireError(decodePexPeers, new Uint8Array([1, 1, 0x41, 1, 1, 0x78])) as { err: WireError }).err.code, 'invalid')
    })
  })
})

describe('codec fuzz: garbage frames over a real libp2p stream', function () {
  this.timeout(60_000)
  const STRIKE_LIMIT = 5
  let swarm: Swarm
  let victim: RuntimePeer
  let good: RuntimePeer
  let attacker: RuntimePeer
  const sink = new MemorySink()
  const victimLog = newProbeLog()
  const goodLog = newProbeLog()

  before(async () => {
    swarm = await createSwarm({
      size: 3,
      transport: 'memory',
      bootstrap: false,
      config: { net: { strikeLimit: STRIKE_LIMIT, lowWater: 0 }, dht: { enabled: false }, chunks: { enabled: false }, search: { enabled: false }, relay: { enabled: false } }
    })
    ;[victim, good, attacker] = swarm.peers
    // The victim's log goes to memory so the test can see each typed rejection.
    ;(victim.net as unknown as { log: unknown }).log = createLogger(sink.sink, { level: 'debug' })
    victim.system.spawn({ name: 'probe', wire: probeProtocol, factory: probeActor(victimLog) })
    good.system.spawn({ name: 'probe', wire: probeProtocol, factory: probeActor(goodLog) })
    await victim.net.ready()
    await good.net.ready()
    await good.libp2p.dial(victim.libp2p.getMultiaddrs()[0])
    await attacker.libp2p.dial(victim.libp2p.getMultiaddrs()[0])
  })

  after(async () => { await swarm?.stop() })

  /** Open a raw stream as the attacker, write one frame, and wait until the victim resets it. */
  async function sendRaw (frame: (lp: ReturnType<typeof lpStream<Stream>>, stream: Stream) => Promise<void>): Promise<string> {
    const stream = await attacker.libp2p.dialProtocol(victim.libp2p.peerId, probeProtocol.id)
    const closed = new Promise<string>(resolve => stream.addEventListener('close', () => { resolve(stream.status) }, { once: true }))
    const lp = lpStream(stream, { maxDataLength: 1 << 20 })
    await frame(lp, stream)
    const reading = lp.read().then(() => 'data', () => 'reset')
    return await Promise.race([closed, reading, new Promise<string>((_resolve, reject) => setTimeout(() => reject(new Error('stream not reset within 5 s')), 5000))])
  }

  it(`rejects each garbage frame with a typed WireError, resets the stream, strikes, and bans at the limit while a good peer is served (seed=${SEED})`, async () => {
    const rng = new SeededRandom(`${SEED}:wire`)
    const attackerKey = attacker.id
    const garbage: Array<{ name: string, write: (lp: ReturnType<typeof lpStream<Stream>>, s: Stream) => Promise<void>, code: string }> = [
      { name: 'random bytes', write: async lp => { await lp.write(new Uint8Array([7, ...rng.bytes(20)])) }, code: 'bad-version' },
      { name: 'unknown envelope kind', write: async lp => { await lp.write(new Uint8Array([1, 200, 1, 2])) }, code: 'unknown-type' },
      { name: 'bad probe payload', write: async lp => { await lp.write(encodeEnvelope({ kind: 'message', payload: new Uint8Array([9, 9, 9]) })) }, code: 'unknown-type' },
      { name: 'truncated probe payload', write: async lp => { await lp.write(encodeEnvelope({ kind: 'message', payload: probeCodec.encode({ type: 'ping', n: 1, text: 'hello' }).subarray(0, 7) })) }, code: 'truncated' },
      { name: 'oversized frame', write: async lp => { await lp.write(new Uint8Array(PROBE_MAX_MESSAGE_BYTES + ENVELOPE_OVERHEAD_BYTES + 1)) }, code: 'oversized' }
    ]
    let served = 0
    for (const [i, g] of garbage.entries()) {
      // The well-behaved peer is answered before and after every attack.
      const res = await requestEcho(goodLog, victim, i)
      assert.deepEqual(res, { type: 'ping', n: i, text: `still served ${i}` })
      served++
      if (i < STRIKE_LIMIT) {
        const outcome = await sendRaw(g.write)
        assert.notEqual(outcome, 'data', `${g.name}: stream not reset`)
        await until(() => victim.banList.strikesOf(attackerKey) === i + 1, 3000, `${g.name}: strike ${i + 1} counted`)
        const rec = sink.records.filter(r => r.msg === 'malformed frame: stream reset').at(-1)
        assert.equal(rec?.fields?.code, g.code, `${g.name}: rejected with WireError code ${String(rec?.fields?.code)}`)
      }
    }
    assert.equal(served, garbage.length)
    await until(() => victim.banList.isBanned(attackerKey), 3000, 'attacker banned')
    await until(() => victim.libp2p.getConnections(attacker.libp2p.peerId).length === 0, 3000, 'attacker hung up')
    // The gater refuses the banned peer from now on, both ways.
    await assert.rejects(attacker.libp2p.dial(victim.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(3000) }))
    await assert.rejects(victim.libp2p.dial(attacker.libp2p.getMultiaddrs()[0], { signal: AbortSignal.timeout(3000) }))
    // And the good peer is still served.
    assert.deepEqual(await requestEcho(goodLog, victim, 99), { type: 'ping', n: 99, text: 'still served 99' })
    assert.equal(victim.banList.isBanned(good.id), false)
    assert.equal(victim.banList.strikesOf(good.id), 0)
  })
})

async function requestEcho (from: ProbeLog, to: RuntimePeer, n: number): Promise<Probe> {
  const net = from.net
  assert.ok(net !== undefined, 'probe actor started')
  return await net.request(to.id, { type: 'ping', n, text: `still served ${n}` }, { timeoutMs: 5000 })
}

async function until (cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  for (let i = 0; i < ms / 10 + 1; i++) {
    if (cond()) return
    if (Date.now() > end) break
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  assert.ok(cond(), `timed out waiting for: ${what}`)
}
