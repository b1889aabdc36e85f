import { loadConfig } from '../../../config/load.ts'
import type { Command } from '../builtin.ts'

/** Addresses others dial: each with /p2p/<id>, so a bootstrap list entry is complete. */
export function dialableAddrs (addrs: string[], peerId: string): string[] {
  return addrs.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)
}

export const bootstrapCommand: Command = {
  path: ['bootstrap'],
  summary: 'Run a bootstrap peer (stable identity, port 4001) and print the multiaddrs for others\' bootstrap lists.',
  usage: 'peerhive bootstrap [--json] [--data-dir dir] [--net.listen multiaddr] [--<section>.<field> value ...]',
  description: 'Defaults differ from start (bootstrap/index.ts): listen on /ip4/0.0.0.0/tcp/4001, data dir .peerhive-bootstrap,\nmore connections allowed; file, env and flags apply on top as usual. Peers join with --net.bootstrap <multiaddr>.\nWith --json, one line {peerId, multiaddrs, dataDir, controlPort} on stdout.',
  options: [],
  async run (inv) {
    // Loaded on demand: libp2p takes most of a second to import, which status/stop/config need not pay.
    const [{ runPeer }, { bootstrapConfig }] = await Promise.all([import('./run-peer.ts'), import('../../../bootstrap/index.ts')])
    // Bootstrap defaults < file < env < flags: the same precedence, on a different base.
    const { config } = loadConfig({ file: inv.configArgs.configFile, env: inv.io.env, flags: inv.configArgs.flags, base: bootstrapConfig() })
    return await runPeer(config, inv.io, ({ peer, control, dataDir }) => {
      const multiaddrs = dialableAddrs(peer.multiaddrs(), peer.id)
      if (inv.json) {
        inv.io.out(JSON.stringify({ peerId: peer.id, multiaddrs, dataDir, controlPort: control?.port ?? null }))
        return
      }
      inv.io.out(`bootstrap peer ${peer.id} running; data dir ${dataDir}`)
      inv.io.out('Put one of these in other peers\' bootstrap list (--net.bootstrap <addr> or "net": { "bootstrap": [...] }):')
      for (const a of multiaddrs) inv.io.out(`  ${a}`)
    })
  }
}
