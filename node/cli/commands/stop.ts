import { setTimeout as sleep } from 'node:timers/promises'
import { ControlClient } from '../../control/client.ts'
import { ControlError } from '../../control/errors.ts'
import type { Command } from '../builtin.ts'
import { EXIT_OK } from '../exit-codes.ts'

/** How long `stop` waits for the peer's process to exit after it accepted the request. */
const STOP_WAIT_MS = 30_000
const POLL_MS = 100

export const stopCommand: Command = {
  path: ['stop'],
  summary: 'Stop a running peer gracefully (waits until its process has exited).',
  usage: 'peerhive stop [--json] [--data-dir dir]',
  options: [],
  async run (inv) {
    const client = await ControlClient.fromDataDir(inv.loaded.config.node.dataDir)
    const { pid, peerId } = client.info
    await client.stop()
    const deadline = Date.now() + STOP_WAIT_MS
    while (alive(pid)) {
      if (Date.now() > deadline) throw new ControlError('timeout', `peer ${peerId} (pid ${pid}) accepted stop but is still running after ${STOP_WAIT_MS / 1000} s`, { pid })
      await sleep(POLL_MS)
    }
    if (inv.json) inv.io.out(JSON.stringify({ stopped: true, peerId, pid }))
    else inv.io.out(`stopped ${peerId} (pid ${pid})`)
    return EXIT_OK
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
