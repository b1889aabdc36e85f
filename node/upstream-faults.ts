import type { Logger } from './ports/logger.ts'

/**
 * libp2p's stream layer can throw outside any promise we hold: yamux sends a window update
 * from a read callback on a stream the remote already reset, and the resulting
 * `StreamStateError` surfaces as an uncaught exception (ChainSafe/js-libp2p-yamux#91,
 * libp2p/js-libp2p#2505). It concerns one stream that is already dead; letting it kill the
 * process would drop every other peer we serve. So a long-running peer logs it, counts it
 * and goes on. Anything else uncaught is a real bug: it is logged and the process exits
 * non-zero, as Node would.
 */
export function isKnownStreamFault (err: unknown): boolean {
  return err instanceof Error && err.name === 'StreamStateError'
}

export interface FaultGuard {
  /** Known stream faults survived so far. */
  readonly survived: number
  uninstall: () => void
}

export function installFaultGuard (log: Logger, exit: (code: number) => void): FaultGuard {
  let survived = 0
  const onUncaught = (err: Error): void => {
    if (isKnownStreamFault(err)) {
      survived++
      log.warn('libp2p stream fault survived (upstream yamux bug; one dead stream, the peer keeps serving)', { error: err, count: survived })
      return
    }
    log.error('uncaught exception: exiting', { error: err })
    exit(1)
  }
  process.on('uncaughtException', onUncaught)
  return {
    get survived () { return survived },
    uninstall: () => { process.off('uncaughtException', onUncaught) }
  }
}
