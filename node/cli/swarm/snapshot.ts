import type { PeerStatus } from '../../peer-types.ts'
import { ControlClient } from '../../control/client.ts'
import type { SwarmChild } from './child.ts'

/** One row of the swarm table (and of the final --json report). */
export interface SwarmRow {
  role: 'bootstrap' | 'peer'
  label: string
  peerId: string | null
  address: string | null
  state: 'starting' | 'running' | 'unreachable' | 'exited'
  exitCode: number | null
  connections: number
  connectedToBootstrap: boolean
  actorsOk: number
  actorsFailed: number
  mailboxDrops: number
  error?: string
}

/** A child's row from its control API (a short deadline: the table refreshes every second). */
export async function snapshot (child: SwarmChild, role: SwarmRow['role'], bootstrapId: string | undefined, timeoutMs: number): Promise<SwarmRow> {
  const row: SwarmRow = { role, label: child.label, peerId: null, address: null, state: 'starting', exitCode: null, connections: 0, connectedToBootstrap: false, actorsOk: 0, actorsFailed: 0, mailboxDrops: 0 }
  if (!child.running) return { ...row, state: 'exited', exitCode: child.exitCode ?? null, error: child.lastError() }
  let s: PeerStatus
  try {
    const client = await ControlClient.fromDataDir(child.dataDir, { timeoutMs })
    s = await client.status()
  } catch (err) {
    // control.json appears only once the peer is up: until then the child is starting
    return (err as { code?: string }).code === 'no-control-file' ? row : { ...row, state: 'unreachable', error: (err as Error).message }
  }
  return {
    ...row,
    state: 'running',
    peerId: s.peerId,
    address: s.addresses.find(a => a.includes('/127.0.0.1/')) ?? s.addresses[0] ?? null,
    connections: s.connections.length,
    connectedToBootstrap: bootstrapId !== undefined && s.connections.some(c => c.peer === bootstrapId),
    actorsOk: s.actors.filter(a => a.state === 'running').length,
    actorsFailed: s.actors.filter(a => a.state === 'failed').length,
    mailboxDrops: s.actors.reduce((n, a) => n + a.mailbox.dropped, 0)
  }
}
