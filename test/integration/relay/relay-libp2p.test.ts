import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { peerSchema, type PeerConfig } from '../../../config/peer-config.ts'
import { overlay } from '../../../config/schema.ts'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import { swarmBaseConfig, type ConfigOverrides } from '../../../node/swarm.ts'
import { relayModule, type RelayApi } from '../../../protocols/relay/index.ts'
import type { RelayStatus, WhereResult } from '../../../protocols/relay/actor.ts'

/**
 * The supernode layer on real libp2p over TCP on 127.0.0.1: reservations through the
 * circuit-relay-v2 server with our limits, failover to another supernode, names.
 */
const SINK = '/peerhive-test/sink/1.0.0'

function config (over: ConfigOverrides): PeerConfig {
  return overlay(peerSchema, swarmBaseConfig('tcp'), over, 'relay test')
}

async function start (over: ConfigOverrides): Promise<RuntimePeer> {
  return await createPeer(config(over), { store: 'memory', modules: [relayModule] })
}

const relay = (p: RuntimePeer): RelayApi => p.services.get<RelayApi>('relay') as RelayApi

/** Poll `ask` (bounded) until its answer satisfies `pred`; a failed ask counts as not yet. */
async function pollUntil<T> (ask: () => Promise<T>, pred: (v: T) => boolean, what: string, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  let last: T | Error = new Error('not asked')
  for (let i = 0; i < ms / 50; i++) {
    last = await ask().catch((err: Error) => err)
    if ((!(last instanceof Error) && pred(last)) || Date.now() > deadline) break
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  assert.ok(!(last instanceof Error) && pred(last), `${what}; last answer: ${last instanceof Error ? last.message : JSON.stringify(last)}`)
  return last
}

/** Until `pred` holds on the peer's relay status. */
async function until (p: RuntimePeer, pred: (s: RelayStatus) => boolean, what: string, ms = 15_000): Promise<RelayStatus> {
  return await pollUntil(async () => await relay(p).status(), pred, what, ms)
}

/** Until a supernode's directory entry for `name` satisfies `pred` (not found counts as not yet). */
async function whereisUntil (p: RuntimePeer, name: string, pred: (w: WhereResult) => boolean, what: string, ms = 10_000): Promise<WhereResult> {
  return await pollUntil(async () => await relay(p).whereis(name), pred, what, ms)
}

describe('relay on libp2p (TCP loopback)', function () {
  this.timeout(45_000)
  const peers: RuntimePeer[] = []
  afterEach(async () => { await Promise.all(peers.splice(0).map(async p => { await p.stop() })) })

  const child = (name: string, supernodes: string[], over: ConfigOverrides['relay'] = {}): ConfigOverrides =>
    ({ node: { name }, relay: { role: 'ordinary', attach: 'always', supernodes, checkIntervalMs: 200, holePunch: false, ...over } })

  it('relays only within the configured data limit and only to peers holding a reservation', async () => {
    const s = await start({ relay: { role: 'super', dataLimitBytes: 64 * 1024 } })
    peers.push(s)
    const sAddr = s.multiaddrs().filter(a => a.includes('/tcp/'))
    const a = await start(child('alice', sAddr))
    const b = await start(child('bob', sAddr))
    const c = await start(child('carol', sAddr, { attach: 'never' }))
    peers.push(a, b, c)
    const sa = await until(a, st => st.supernode === s.id && st.relayedAddrs.length > 0, 'alice attached')
    assert.ok(sa.relayedAddrs.every(x => x.includes(`/p2p/${s.id}/p2p-circuit/p2p/${a.id}`)))
    await until(b, st => st.supernode === s.id, 'bob attached')
    assert.equal((await relay(s).status()).role, 'super')

    // Names resolve to relayed addresses.
    const where = await relay(b).whereis('alice')
    assert.equal(where.peer, a.id)
    assert.ok(where.addrs.some(x => x.includes('/p2p-circuit/')), where.addrs.join(' '))

    // A transfer past the data limit (64 KiB) over the relayed connection is cut.
    let received = 0
    let ended = false
    await a.libp2p.handle(SINK, async (stream) => {
      try { for await (const chunk of stream) received += chunk.byteLength; ended = true } catch { /* reset by the relay */ }
    }, { runOnLimitedConnection: true })
    const circuit = where.addrs.find(x => x.includes('/p2p-circuit/')) as string
    const out = await b.libp2p.dialProtocol(multiaddr(circuit), SINK, { runOnLimitedConnection: true })
    const conn = b.libp2p.getConnections(a.libp2p.peerId).find(x => x.remoteAddr.toString().includes('/p2p-circuit'))
    assert.ok(conn?.limits !== undefined, 'the relayed connection is limited')
    const block = new Uint8Array(16 * 1024)
    const sent = await (async () => {
      let n = 0
      try {
        for (let i = 0; i < 64; i++) { // 1 MiB at most
          if (!out.send(block)) await out.onDrain({ signal: AbortSignal.timeout(5000) })
          n += block.length
        }
        await out.close({ signal: AbortSignal.timeout(5000) })
      } catch { /* the relay reset the stream */ }
      return n
    })()
    for (let i = 0; i < 40 && !ended && received < 1024 * 1024; i++) await new Promise(resolve => setTimeout(resolve, 50))
    assert.ok(received <= 64 * 1024, `relay passed ${received} bytes, past its 64 KiB limit (sent ${sent})`)
    assert.ok(received < sent || sent < 1024 * 1024, 'the transfer was cut')

    // Carol holds no reservation: the supernode refuses to relay to her.
    await assert.rejects(b.libp2p.dial(multiaddr(`${sAddr[0]}/p2p-circuit/p2p/${c.id}`), { signal: AbortSignal.timeout(5000) }))
  })

  it('fails over to another supernode when its own stops, re-reserving and re-announcing its name', async () => {
    const s1 = await start({ relay: { role: 'super' } })
    const s2 = await start({ relay: { role: 'super', supernodes: s1.multiaddrs() } })
    peers.push(s1, s2)
    const list = [...s1.multiaddrs(), ...s2.multiaddrs()]
    const a = await start(child('alice', s1.multiaddrs(), { supernodes: list }))
    const b = await start(child('bob', s2.multiaddrs(), { supernodes: list }))
    peers.push(a, b)
    const first = await until(a, st => st.supernode !== undefined && st.relayedAddrs.length > 0, 'alice attached')
    await until(b, st => st.supernode !== undefined, 'bob attached')
    const own = first.supernode === s1.id ? s1 : s2
    const other = own === s1 ? s2 : s1
    // Both supernodes hold alice's entry (replicated over the tier, asynchronously).
    await whereisUntil(other, 'alice', w => w.peer === a.id, "the other supernode holds alice's entry")

    await own.stop()
    const next = await until(a, st => st.supernode === other.id && st.relayedAddrs.length > 0, 'alice failed over', 20_000)
    assert.ok(next.failovers >= 1)
    assert.ok(next.relayedAddrs.every(x => x.includes(`/p2p/${other.id}/p2p-circuit`)))
    // The directory now points at the new relayed address.
    await whereisUntil(other, 'alice', w => w.addrs.some(x => x.includes(`/p2p/${other.id}/p2p-circuit`)), "alice's entry names her new relayed address")
  })
})
