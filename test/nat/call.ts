/**
 * Call a running peer's control API from inside its network namespace (the API listens on
 * that namespace's 127.0.0.1): `node call.ts <dataDir> <method> [paramsJson] [--stream]`.
 * Prints the result as one JSON line (a stream: one line per item); exit 1 with the error.
 */
import { ControlClient } from '../../node/control/client.ts'

const [dataDir, method, params = '{}'] = process.argv.slice(2)
try {
  const client = await ControlClient.fromDataDir(dataDir, { timeoutMs: 60_000 })
  if (process.argv.includes('--stream')) {
    for await (const item of client.stream(method, JSON.parse(params))) process.stdout.write(JSON.stringify(item) + '\n')
  } else {
    process.stdout.write(JSON.stringify(await client.call(method, JSON.parse(params))) + '\n')
  }
  process.exit(0)
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(1)
}
