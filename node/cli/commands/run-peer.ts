import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { PeerConfig } from '../../../config/peer-config.ts'
import { startControlServer, type ControlServer } from '../../control/server.ts'
import { MODULES } from '../../modules.ts'
import { createPeer } from '../../peer.ts'
import type { Peer } from '../../peer-types.ts'
import type { CliIo } from '../io.ts'
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.ts'
import { PeerhiveError } from '../../errors.ts'
import { installFaultGuard } from '../../upstream-faults.ts'

export interface RunningPeer {
  peer: Peer
  control?: ControlServer
  dataDir: string
}

/**
 * Runs a peer in this process until SIGINT, SIGTERM or `POST /v1/stop`: creates it from
 * `config`, serves the control API, calls `ready` once both are up, then shuts down
 * gracefully (control API closed and control.json removed, actors stopped, connections
 * closed, store flushed). Resolves with the process exit code.
 */
export async function runPeer (config: PeerConfig, io: CliIo, ready: (r: RunningPeer) => void): Promise<number> {
  const dataDir = resolve(config.node.dataDir)
  await mkdir(dataDir, { recursive: true })
  let peer: Peer
  try {
    peer = await createPeer({ ...config, node: { ...config.node, dataDir } })
  } catch (err) {
    throw startFailure(err, dataDir)
  }
  const log = peer.logger.child('cli')
  let control: ControlServer | undefined

  let finished!: (code: number) => void
  const done = new Promise<number>(resolve => { finished = resolve })
  let stopping: Promise<void> | undefined
  const shutdown = (why: string): void => {
    if (stopping !== undefined) return
    log.info('shutting down', { reason: why })
    stopping = (async () => {
      let code = EXIT_OK
      for (const [what, step] of [['control API', async () => await control?.close()], ['peer', async () => await peer.stop()]] as const) {
        try {
          await step()
        } catch (err) {
          code = EXIT_FAILURE
          log.error(`stopping the ${what} failed`, { error: err as Error })
        }
      }
      if (code === EXIT_OK) log.info('stopped cleanly')
      finished(code)
    })()
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      io.err(`peerhive: ${signal} again during shutdown: exiting now`)
      process.exit(EXIT_FAILURE)
    }
    shutdown(signal)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const guard = installFaultGuard(log, code => process.exit(code))

  try {
    if (config.control.enabled) {
      control = await startControlServer({ peer, dataDir, port: config.control.port, modules: MODULES, onStop: () => shutdown('stop requested over the control API'), logger: log })
    }
  } catch (err) {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    guard.uninstall()
    await peer.stop()
    throw err
  }
  log.info('peer running', { peerId: peer.id, dataDir, addresses: peer.multiaddrs() })
  ready({ peer, control, dataDir })
  const code = await done
  process.off('SIGINT', onSignal)
  process.off('SIGTERM', onSignal)
  guard.uninstall()
  return code
}

/** Why a peer could not start, in one line: LevelDB's own message hides the usual cause (a lock). */
function startFailure (err: unknown, dataDir: string): Error {
  if (err instanceof PeerhiveError) return err
  const chain: string[] = []
  let codes = ''
  for (let e: any = err, i = 0; e !== undefined && e !== null && i < 5; e = e.cause, i++) {
    codes += ` ${String(e.code ?? '')}`
    if (typeof e.message === 'string' && e.message !== '' && !chain.includes(e.message)) chain.push(e.message)
  }
  if (/LEVEL_LOCKED/.test(codes) || chain.some(m => /lock/i.test(m))) {
    return new PeerhiveError('data-dir-locked', `data dir ${dataDir} is in use by another running peer (its store is locked); stop it or use another --data-dir`, { dataDir }, { cause: err })
  }
  return new PeerhiveError('start-failed', `cannot start a peer in ${dataDir}: ${chain.join(': ')}`, { dataDir }, { cause: err })
}
