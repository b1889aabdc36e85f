/**
 * `npm run bench -- <name> [--json] [bench flags]`: runs bench/<name>.ts, which exports
 * `run(args): Promise<BenchReport>`. Prints the tables (or one JSON object with --json).
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { printReport, type BenchReport } from './report.ts'
import { createLogger, stderrSink } from '../node/ports/logger.ts'
import { installFaultGuard } from '../node/upstream-faults.ts'

const here = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(here).filter(f => f.endsWith('.ts') && !['run.ts', 'report.ts'].includes(f) && !f.startsWith('_')).map(f => f.slice(0, -3)).sort()

const args = process.argv.slice(2)
const name = args.find(a => !a.startsWith('-'))
const json = args.includes('--json')
if (name === undefined || args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`usage: npm run bench -- <name> [--json] [options]\n\nbenchmarks: ${available.join(', ')}\n`)
  process.exit(name === undefined && !args.includes('--help') && !args.includes('-h') ? 2 : 0)
}
if (!available.includes(name)) {
  process.stderr.write(`unknown benchmark ${JSON.stringify(name)}; available: ${available.join(', ')}\n`)
  process.exit(2)
}
const mod = await import(join(here, `${name}.ts`)) as { run: (args: string[]) => Promise<BenchReport> }
// Benchmarks that stop peers mid-transfer (churn, swarm teardown) meet the known upstream
// yamux fault (node/upstream-faults.ts) as an uncaught exception: survive and count it, as
// a long-running peer does; anything else uncaught still ends the run with exit code 1.
const guard = installFaultGuard(createLogger(stderrSink(), { level: 'warn', scope: 'bench' }), code => process.exit(code))
const report = await mod.run(args.filter(a => a !== name && a !== '--json'))
guard.uninstall()
printReport({ ...report, environment: { ...report.environment, upstreamStreamFaults: guard.survived } }, json)
process.exit(0)
