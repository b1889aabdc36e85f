import type { PeerStatus } from '../../peer-types.ts'
import { ControlClient } from '../../control/client.ts'
import type { Command } from '../builtin.ts'
import { EXIT_OK } from '../exit-codes.ts'
import { renderTable } from '../table.ts'

export const statusCommand: Command = {
  path: ['status'],
  summary: 'Show a running peer: id, addresses, connected peers, actors and their state.',
  usage: 'peerhive status [--json] [--data-dir dir]',
  options: [],
  async run (inv) {
    const client = await ControlClient.fromDataDir(inv.loaded.config.node.dataDir)
    const s = await client.status()
    if (inv.json) inv.io.out(JSON.stringify(s))
    else for (const line of formatStatus(s)) inv.io.out(line)
    return EXIT_OK
  }
}

export function formatStatus (s: PeerStatus): string[] {
  const lines = [`peer     ${s.peerId}${s.name !== undefined && s.name !== '' ? `  (${s.name})` : ''}`, `uptime   ${(s.uptimeMs / 1000).toFixed(1)} s`, '']
  lines.push(`addresses (${s.addresses.length})`, ...s.addresses.map(a => `  ${a}`), '')
  lines.push(`connections (${s.connections.length})`)
  if (s.connections.length > 0) {
    lines.push(...renderTable(['peer', 'direction', 'address', 'limited'], s.connections.map(c => [c.peer, c.direction, c.addr, c.limited ? 'yes' : ''])).map(l => `  ${l}`))
  }
  lines.push('', `actors (${s.actors.length})`)
  if (s.actors.length > 0) {
    lines.push(...renderTable(['name', 'state', 'processed', 'mailbox', 'dropped', 'restarts', 'last error'],
      s.actors.map(a => [a.name, a.state, a.processed, `${a.mailbox.size}/${a.mailbox.capacity}`, a.mailbox.dropped, a.restarts, a.lastError ?? ''])).map(l => `  ${l}`))
  }
  return lines
}
