import assert from 'node:assert/strict'
import { decodeDht, encodeDht, type DhtMsg } from '../../../protocols/dht/messages.ts'
import { WireError } from '../../../node/errors.ts'
import { asPeerKey } from '../../../node/ports/net.ts'
import { isPrivateAddr, shareableAddrs, withPeerId } from '../../../protocols/dht/addrs.ts'

const node = { peer: asPeerKey('12D3KooWabc'), addrs: ['/ip4/127.0.0.1/tcp/4001', '/memory/x'] }

const samples: DhtMsg[] = [
  { type: 'ping' }, { type: 'pong' }, { type: 'get-state' }, { type: 'ack' },
  { type: 'state', pred: node, succs: [node, { peer: asPeerKey('p2'), addrs: [] }] },
  { type: 'state', succs: [] },
  { type: 'rectify', node },
  { type: 'find', key: new Uint8Array([1, 2, 3]) },
  { type: 'step', done: true, nodes: [node] },
  { type: 'put', key: 'k', value: new Uint8Array([9, 9]) },
  { type: 'put-ok', replicas: 3 },
  { type: 'get', key: 'k' },
  { type: 'value', found: true, ver: 7, value: new Uint8Array([1]) },
  { type: 'value', found: false, ver: 0 },
  { type: 'replicate', records: [{ key: 'a', ver: 1, value: new Uint8Array(10) }] },
  { type: 'offer', items: [{ key: 'a', ver: 2 }] },
  { type: 'want', keys: ['a', 'b'] },
  { type: 'add-provider', key: 'bafy', provider: node, ttlMs: 60_000, forward: true },
  { type: 'get-providers', key: 'bafy', limit: 20 },
  { type: 'providers', providers: [node] },
  { type: 'leave', pred: node, succs: [node] },
  { type: 'nudge' }, { type: 'get-fingers' },
  { type: 'fingers', nodes: [node, { peer: asPeerKey('p3'), addrs: [] }] }
]

describe('dht wire messages', () => {
  it('round-trip every message type', () => {
    for (const m of samples) assert.deepEqual(decodeDht(encodeDht(m)), m, m.type)
  })

  it('reject truncated, trailing, unknown and oversized input with typed WireErrors', () => {
    const code = (b: Uint8Array): string => { try { decodeDht(b); return 'accepted' } catch (e) { assert.ok(e instanceof WireError); return e.code } }
    for (const m of samples) {
      const b = encodeDht(m)
      if (b.length > 1) assert.equal(code(b.subarray(0, b.length - 1)), 'truncated', `${m.type} truncated`)
      assert.equal(code(new Uint8Array([...b, 0])), 'invalid', `${m.type} with a trailing byte`)
    }
    assert.equal(code(new Uint8Array([200])), 'unknown-type')
    assert.equal(code(new Uint8Array([])), 'truncated')
    // 65 successors > the 64 limit, declared in the count varint: refused before reading them.
    assert.equal(code(new Uint8Array([3, 0, 65])), 'oversized')
    // A ring key wider than 256 bits.
    assert.equal(code(new Uint8Array([6, 33, ...new Uint8Array(33)])), 'oversized')
    // Nine addresses for one peer.
    assert.equal(code(new Uint8Array([4, 1, 0x61, 9])), 'oversized')
    assert.equal(code(new Uint8Array([8, 1, 0x61, 0x80, 0x80, 0x80, 0x01])), 'oversized', 'a 2 MiB value')
    assert.throws(() => encodeDht({ type: 'step', done: false, nodes: Array.from({ length: 65 }, () => node) }), WireError)
  })

  it('keeps loopback and private addresses in LAN scope, drops them in public scope', () => {
    const addrs = ['/ip4/127.0.0.1/tcp/1', '/ip4/192.168.1.4/tcp/1', '/ip4/10.0.0.1/tcp/1', '/ip4/8.8.8.8/tcp/1', '/ip6/::1/tcp/1', '/memory/a']
    assert.deepEqual(shareableAddrs(addrs, 'all'), addrs)
    assert.deepEqual(shareableAddrs(addrs, 'public'), ['/ip4/8.8.8.8/tcp/1', '/memory/a'])
    assert.equal(isPrivateAddr('/ip4/172.20.0.1/tcp/1'), true)
    assert.equal(isPrivateAddr('/ip4/172.32.0.1/tcp/1'), false)
    assert.equal(withPeerId('/ip4/1.2.3.4/tcp/1', 'Qm'), '/ip4/1.2.3.4/tcp/1/p2p/Qm')
    assert.equal(withPeerId('/ip4/1.2.3.4/tcp/1/p2p/Qm', 'Qm'), '/ip4/1.2.3.4/tcp/1/p2p/Qm')
  })
})
