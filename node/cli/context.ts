import { ControlClient } from '../control/client.ts'
import type { CliContext } from './command.ts'
import type { CliIo } from './io.ts'

/** A CliContext whose calls go to the control API of the peer running in `dataDir`. */
export function controlContext (dataDir: string, json: boolean, io: CliIo): CliContext {
  let client: Promise<ControlClient> | undefined
  const get = async (): Promise<ControlClient> => await (client ??= ControlClient.fromDataDir(dataDir))
  return {
    json,
    out: io.out,
    err: io.err,
    call: async <T>(method: string, params?: Record<string, unknown>) => await (await get()).call<T>(method, params),
    stream: <T>(method: string, params?: Record<string, unknown>): AsyncIterable<T> => ({
      async * [Symbol.asyncIterator] () {
        yield * (await get()).stream<T>(method, params)
      }
    })
  }
}
