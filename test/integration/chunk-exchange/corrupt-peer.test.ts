import assert from 'node:assert/strict'
import { join } from 'node:path'
import { overlay } from '../../../config/schema.ts'
import { peerSchema } from '../../../config/peer-config.ts'
import { createPeer } from '../../../node/peer.ts'
import { createSwarm, swarmBaseConfig } from '../../../node/swarm.ts'
import type { ActorComponents } from '../../../node/kernel/actor.ts'
import type { NetEvent } from '../../../node/ports/net.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { chunkWire, type ChunkMsg } from '../../../protocols/chunk-exchange/messages.ts'
import { Bitfield } from '../../../protocols/chunk-exchange/bitfield.ts'
import type { Link } from '../../../protocols/chunk-exchange/manifest.ts'
import { chunks, fileSha256, randomFile, tempDir, within } from './helpers.ts'

/**
 * A hostile remote peer, speaking the real wire protocol over real libp2p: it claims every
 * chunk, unchokes everyone at once, and answers every request with random bytes. It is
 * the adversary under test, not a stand-in for our own protocol.
 */
function liar (link: Link, chunkCount: number, served: { blocks: number, by: Map<string, number> }) {
  return (c: ActorComponents<NetEvent<ChunkMsg>, ChunkMsg>) => ({
    receive (ev: NetEvent<ChunkMsg>) {
      if (ev.type !== 'net:message') return
      const m = ev.msg
      const send = (msg: ChunkMsg): void => { c.net.send(ev.from, msg).catch(() => {}) }
      if (m.type === 'handshake' && m.link === link) {
        send({ type: 'handshake', sid: 1, link })
        send({ type: 'bitfield', sid: 1, bits: Bitfield.full(chunkCount).bytes })
        send({ type: 'unchoke', sid: 1 })
      } else if (m.type === 'request') {
        served.blocks++
        served.by.set(ev.from, (served.by.get(ev.from) ?? 0) + 1)
        send({ type: 'piece', sid: 1, index: m.index, begin: m.begin, data: c.random.bytes(m.length) })
      }
    }
  })
}

describe('chunk exchange: a peer serving corrupted blocks', function () {
  this.timeout(90_000)

  it('is struck and banned, nothing corrupt is written, and the others still finish', async () => {
    const tmp = await tempDir('cx-corrupt')
    const swarm = await createSwarm({
      size: 5,
      transport: 'tcp',
      store: 'level',
      dataDir: join(tmp.dir, 'peers'),
      config: { net: { uploadBps: 1_000_000 }, chunks: { tracker: true, chunkSize: 64 * 1024 } }
    })
    const liarPeer = await createPeer(overlay(peerSchema, swarmBaseConfig('tcp'), { node: { logLevel: 'error' } }, 'liar'), { store: 'memory', modules: [] })
    try {
      await swarm.waitConnected({ minConnections: 1 })
      const [seed, ...leechers] = swarm.peers
      const src = await randomFile(tmp.dir, 'source.bin', 2 * 1024 * 1024)
      const shared = await chunks(seed).share(src.path)
      const served = { blocks: 0, by: new Map<string, number>() }
      liarPeer.system.spawn({ name: 'liar', wire: chunkWire, factory: liar(shared.link, 32, served) })
      await liarPeer.system.ready()
      // The liar connects to every leecher before they start: it is in their swarms from the first request.
      for (const l of leechers) await liarPeer.libp2p.dial(multiaddr(l.multiaddrs()[0]))
      const handles = await Promise.all(leechers.map(async (p, i) => await chunks(p).get(shared.link, { out: join(tmp.dir, `out-${i}.bin`), seed: true })))
      await within(Promise.all(handles.map(async h => await h.done)), 75_000, 'leechers complete despite the liar')
      for (let i = 0; i < leechers.length; i++) assert.equal(await fileSha256(join(tmp.dir, `out-${i}.bin`)), src.sha256, `leecher ${i}`)
      assert.ok(served.blocks > 0, 'the liar was asked for data')
      const banned = await Promise.all(leechers.map(async p => (await chunks(p).status()).bannedPeers))
      assert.ok(banned.filter(b => b >= 1).length >= 3, `leechers that banned the liar: ${banned.join(',')}`)
      // Past the ban the liar is ignored: a leecher asks it for at most 2 bad chunks (4 blocks each)
      // plus what was already in its request pipeline (32 blocks) when the second one failed.
      for (const [peer, n] of served.by) assert.ok(n <= 2 * 4 + 32, `liar served ${n} blocks to ${peer}`)
    } finally {
      await liarPeer.stop()
      await swarm.stop()
      await tmp.remove()
    }
  })
})
