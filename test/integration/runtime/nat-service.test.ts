import assert from 'node:assert/strict'
import { peerSchema } from '../../../config/peer-config.ts'
import { overlay } from '../../../config/schema.ts'
import type { NatHost } from '../../../node/contracts.ts'
import { Libp2pNatHost } from '../../../node/host/nat-services.ts'
import { createPeer, type RuntimePeer } from '../../../node/peer.ts'
import type { ProtocolModule } from '../../../node/plugin.ts'
import { swarmBaseConfig, type ConfigOverrides } from '../../../node/swarm.ts'

/**
 * createPeer hands the host's NAT interface to modules as service 'nat': a module that
 * installs sees it in its InstallContext, and it is the very object libp2p built.
 */
describe('runtime: the NAT host is service "nat"', function () {
  this.timeout(20_000)
  const peers: RuntimePeer[] = []
  afterEach(async () => { await Promise.all(peers.splice(0).map(async p => { await p.stop() })) })

  /** Stands in for any module that wants the NAT host (the relay module is the real user). */
  const seen: Array<NatHost | undefined> = []
  const natUser: ProtocolModule<null, { enabled: boolean }> = {
    name: 'relay',
    install (ctx) { seen.push(ctx.services.get<NatHost>('nat')); return null }
  }

  async function start (over: ConfigOverrides): Promise<RuntimePeer> {
    const cfg = overlay(peerSchema, swarmBaseConfig('memory'), over, 'nat service test')
    const p = await createPeer(cfg, { store: 'memory', modules: [natUser] })
    peers.push(p)
    return p
  }

  it('is registered before modules install, and is libp2p\'s own service', async () => {
    seen.length = 0
    const p = await start({ relay: { enabled: true, role: 'super' } })
    assert.equal(seen.length, 1)
    const nat = seen[0]
    assert.ok(nat instanceof Libp2pNatHost, 'the module got the host\'s NatHost')
    assert.equal(nat, (p.libp2p.services as Record<string, unknown>).nat)
    assert.equal(p.services.get('nat'), nat)
    assert.equal(nat.relayServer, true)
    assert.ok(['public', 'private', 'unknown'].includes(nat.reachability()))
    assert.deepEqual(nat.relayedAddresses(), [])
  })

  it('is absent when the host runs no NAT services (relay disabled)', async () => {
    const p = await start({ relay: { enabled: false } })
    assert.equal(p.services.get('nat'), undefined)
  })
})
