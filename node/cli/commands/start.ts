import type { Command } from '../builtin.ts'

export const startCommand: Command = {
  path: ['start'],
  summary: 'Run a peer in the foreground (control API on 127.0.0.1; Ctrl-C or peerhive stop ends it).',
  usage: 'peerhive start [--config path] [--data-dir dir] [--json] [--<section>.<field> value ...]',
  description: 'Logs go to stderr. With --json, one line {peerId, addresses, dataDir, controlPort} is printed on stdout once the peer is up.',
  options: [],
  async run (inv) {
    // Loaded on demand: libp2p takes most of a second to import, which status/stop/config need not pay.
    const { runPeer } = await import('./run-peer.ts')
    return await runPeer(inv.loaded.config, inv.io, ({ peer, control, dataDir }) => {
      const info = { peerId: peer.id, addresses: peer.multiaddrs(), dataDir, controlPort: control?.port ?? null }
      if (inv.json) inv.io.out(JSON.stringify(info))
      else {
        inv.io.out(`peer ${peer.id} running; data dir ${dataDir}`)
        for (const a of info.addresses) inv.io.out(`  ${a}`)
      }
    })
  }
}
