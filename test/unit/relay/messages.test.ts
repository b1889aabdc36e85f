import assert from 'node:assert/strict'
import { WireError } from '../../../node/errors.ts'
import { asPeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { newGuid } from '../../../protocols/flood-search/guid.ts'
import { decodeRelay, encodeRelay, type RelayMsg } from '../../../protocols/relay/messages.ts'

const SEED = Number(process.env.SEED ?? 66)

describe('relay wire codec', () => {
  const rnd = new SeededRandom(SEED)
  const p = asPeerKey('12D3KooWExample')
  const samples: RelayMsg[] = [
    { type: 'hello', role: 'super', addrs: ['/ip4/10.77.0.3/tcp/4001'] },
    { type: 'welcome', role: 'ordinary', addrs: [], supernodes: [{ peer: p, addrs: ['/ip4/1.2.3.4/tcp/1'] }] },
    { type: 'attach', name: 'alice', addrs: ['/ip4/1.2.3.4/tcp/1/p2p/x/p2p-circuit/p2p/y'], issuedAt: 1795295128942, sig: rnd.bytes(64) },
    { type: 'attach', name: '', addrs: [], issuedAt: 0, sig: new Uint8Array() },
    { type: 'attached', supernodes: [] },
    { type: 'publish', files: [{ link: 'bafy1', name: 'a b.txt', size: 12345678901, tags: ['x'] }, { link: 'bafy2', name: 'c', size: 0 }] },
    { type: 'published', count: 2 },
    { type: 'query', text: 'holiday photos', ttl: 3, limit: 100, timeoutMs: 5000 },
    { type: 'hits', guid: newGuid(rnd), hits: [{ file: { link: 'bafy1', name: 'n', size: 1 }, peer: p, addrs: ['/ip4/1.1.1.1/tcp/2'], hops: 2 }] },
    { type: 'whereis', name: 'bob' },
    { type: 'where' },
    { type: 'where', entry: { name: 'bob', peer: p, addrs: [] } },
    { type: 'dir-sync', entries: [{ name: 'bob', peer: p, addrs: ['/ip4/1.1.1.1/tcp/2'], claimedAt: 123456, ttlMs: 60000, issuedAt: 99, sig: rnd.bytes(64) }] }
  ]

  it('round-trips every message type', () => {
    for (const m of samples) assert.deepEqual(decodeRelay(encodeRelay(m)), m)
  })

  it(`rejects truncated, trailing, unknown and garbage input with a typed WireError (seed=${SEED})`, () => {
    for (const m of samples) {
      const b = encodeRelay(m)
      for (let cut = 0; cut < b.length; cut++) assert.throws(() => decodeRelay(b.subarray(0, cut)), WireError, `${m.type} cut at ${cut}`)
      assert.throws(() => decodeRelay(new Uint8Array([...b, 0])), WireError)
    }
    assert.throws(() => decodeRelay(new Uint8Array([200])), (e: WireError) => e.code === 'unknown-type')
    assert.throws(() => decodeRelay(encodeRelay({ type: 'hello', role: 'super', addrs: ['not-a-multiaddr'] })), (e: WireError) => e.code === 'invalid')
    // A NUL or other control character would blur the signed claim's field boundaries.
    assert.throws(() => decodeRelay(encodeRelay({ type: 'whereis', name: 'bob\u0000x' })), (e: WireError) => e.code === 'invalid')
    assert.throws(() => decodeRelay(encodeRelay({ type: 'attach', name: 'a', addrs: ['/ip4/1.1.1.1\u0000'], issuedAt: 1, sig: new Uint8Array(64) })), (e: WireError) => e.code === 'invalid')
    // Signatures are bounded.
    assert.throws(() => decodeRelay(encodeRelay({ type: 'attach', name: 'a', addrs: [], issuedAt: 1, sig: new Uint8Array(129) })), (e: WireError) => e.code === 'oversized' || e.code === 'invalid')
    for (let i = 0; i < 2000; i++) {
      const junk = rnd.bytes(1 + rnd.int(200))
      try { decodeRelay(junk) } catch (err) { assert.ok(err instanceof WireError, `seed=${SEED} case ${i}: ${(err as Error).message}`) }
    }
  })
})
