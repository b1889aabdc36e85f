import type { PeerConfig } from '../../../config/peer-config.ts'
import type { LoadedConfig } from '../../../config/load.ts'
import type { Command } from '../builtin.ts'

/** The well-known port of a bootstrap peer (others put its address in their lists). */
export const BOOTSTRAP_PORT = 4001
/** Its own data dir by default, so a bootstrap and a peer can share a working directory. */
export const BOOTSTRAP_DATA_DIR = '.peerhive-bootstrap'

/**
 * A bootstrap peer's config: the user's, except that fields nobody set take bootstrap
 * defaults (listen on BOOTSTRAP_PORT, its own data dir). Its identity key lives in its
 * data dir, so the printed multiaddrs stay valid across restarts.
 */
export function bootstrapConfig ({ config, origins }: LoadedConfig): PeerConfig {
  const out = structuredClone(config)
  if (!origins.has('net.listen')) out.net.listen = [`/ip4/0.0.0.0/tcp/${BOOTSTRAP_PORT}`]
  if (!origins.has('node.dataDir')) out.node.dataDir = BOOTSTRAP_DATA_DIR
  return out
}

/** Addresses others dial: each with /p2p/<id>, so a bootstrap list entry is complete. */
export function dialableAddrs (addrs: string[], peerId: string): string[] {
  return addrs.map(a => a.includes('/p2p/') ? a : `${a}/p2p/${peerId}`)
}

export const bootstrapCommand: Command = {
  path: ['bootstrap'],
  summary: `Run a bootstrap peer (stable identity, port ${BOOTSTRAP_PORT}) and print the multiaddrs for others' bootstrap lists.`,
  usage: 'peerhive bootstrap [--json] [--data-dir dir] [--net.listen multiaddr] [--<section>.<field> value ...]',
  description: `Defaults differ from start: listen on /ip4/0.0.0.0/tcp/${BOOTSTRAP_PORT}, data dir ${BOOTSTRAP_DATA_DIR}. Peers join with --net.bootstrap <multiaddr>. With --json, one line {peerId, multiaddrs, dataDir, controlPort} on stdout.`,
  options: [],
  async run (inv) {
    // Loaded on demand: libp2p takes most of a second to import, which status/stop/config need not pay.
    const { runPeer } = await import('./run-peer.ts')
    return await runPeer(bootstrapConfig(inv.loaded), inv.io, ({ peer, control, dataDir }) => {
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
