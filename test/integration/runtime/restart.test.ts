import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RuntimePeer } from '../../../node/peer.ts'
import { createSwarm, type Swarm } from '../../../node/swarm.ts'
import { ChildPeer } from './child-peer.ts'

/**
 * A real peer process with a LevelDB data dir is killed with SIGKILL (no shutdown, no
 * flush) and restarted: it must come back with the same PeerId and still know the peer
 * it had met, and reconnect to it with an empty bootstrap list.
 */
describe('runtime: kill -9 and restart', function () {
  this.timeout(60_000)
  let dir: string
  let swarm: Swarm
  let anchor: RuntimePeer
  const children: ChildPeer[] = []

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerhive-restart-'))
    // One in-process peer on 127.0.0.1 for the child to meet.
    swarm = await createSwarm({ size: 0, transport: 'tcp', config: { net: { lowWater: 0 } } })
    anchor = swarm.bootstrap as RuntimePeer
  })

  after(async () => {
    await Promise.all(children.map(async c => { await c.kill9() }))
    await swarm?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('keeps its PeerId and its address book across kill -9, and reconnects from the address book', async () => {
    const base = {
      node: { dataDir: join(dir, 'b'), logLevel: 'warn' as const },
      net: { listen: ['/ip4/127.0.0.1/tcp/0'], allow: ['/ip4/127.0.0.1'] }
    }
    const first = ChildPeer.start(dir, 'b1', { ...base, net: { ...base.net, bootstrap: anchor.multiaddrs() } })
    children.push(first)
    const started = await first.waitFor(e => e.event === 'started', 20_000, 'first start')
    assert.deepEqual(started.known, [], 'a fresh data dir knows nobody')
    await first.waitFor(e => e.event === 'identify' && e.peer === anchor.id, 15_000, 'identify with the anchor peer')
    // The address book is written as libp2p learns addresses; wait until the store has it.
    let known: unknown[] = []
    for (let i = 0; i < 50 && !known.includes(anchor.id); i++) {
      const from = first.events.length
      first.command('known')
      known = (await first.waitFor(e => e.event === 'known', 5000, 'known answer', from)).peers as unknown[]
      if (!known.includes(anchor.id)) await new Promise(resolve => setTimeout(resolve, 100))
    }
    assert.ok(known.includes(anchor.id), 'anchor in the address book before the kill')

    await first.kill9()
    assert.equal(first.proc.signalCode, 'SIGKILL')

    // Restart with NO bootstrap list: only the persisted address book can lead it back.
    const second = ChildPeer.start(dir, 'b2', { ...base, net: { ...base.net, bootstrap: [] } })
    children.push(second)
    const restarted = await second.waitFor(e => e.event === 'started', 20_000, 'restart')
    assert.equal(restarted.id, started.id, 'same PeerId after kill -9')
    assert.ok((restarted.known as string[]).includes(anchor.id), 'address book survived kill -9')
    await second.waitFor(e => e.event === 'connect' && e.peer === anchor.id, 15_000, 'reconnect to the anchor from the address book')
    // The child reports its side of the connection; the anchor's may still be upgrading.
    const anchorSees = (): boolean => anchor.libp2p.getPeers().some(p => p.toString() === started.id)
    for (let i = 0; i < 50 && !anchorSees(); i++) await new Promise(resolve => setTimeout(resolve, 100))
    assert.ok(anchorSees(), 'the anchor sees the restarted peer under its old id')
    await second.stop()
    assert.equal(second.proc.exitCode, 0, 'graceful stop exits 0')
  })
})
