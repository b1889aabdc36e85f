import { writeFileSync } from 'node:fs'
import type { CliCommand } from '../cli/command.ts'
import { renderReport } from './report/html.ts'
import { runScenario } from './run-scenario.ts'
import { loadScenario, SCENARIO_DIR } from './scenario-file.ts'
import type { SimResult } from './simulate.ts'

/** `peerhive sim <scenario>`: runs in this process, no peer or control API needed. */
export const simCommands: CliCommand[] = [{
  path: ['sim'],
  summary: 'Run a deterministic swarm simulation (virtual time, simulated network, the real protocol actors).',
  usage: 'peerhive sim <scenario|file.json> [--seed N] [--report out.html] [--json]',
  options: [
    { name: 'seed', type: 'string', doc: 'Override the scenario\'s seed (the same seed reproduces the run bit for bit).' },
    { name: 'report', type: 'string', doc: 'Write a self-contained HTML report with plots to this path.' },
    { name: 'trace', type: 'boolean', doc: 'With --json: include the full event trace.' }
  ],
  async run (positionals, flags, ctx) {
    const arg = positionals[0]
    if (arg === undefined) {
      ctx.err(`usage: peerhive sim <scenario|file.json> [--seed N] [--report out.html] [--json]\nscenarios: files in ${SCENARIO_DIR}`)
      return 2
    }
    const scenario = loadScenario(arg)
    if (typeof flags.seed === 'string') scenario.seed = /^-?\d+$/.test(flags.seed) ? Number(flags.seed) : flags.seed
    const res = await runScenario(scenario, {
      keepTrace: true,
      onRun: (r) => { if (!ctx.json) ctx.err(`ran ${r.name}: ${r.events} events in ${(r.perf.wallMs / 1000).toFixed(1)} s wall, ${(r.virtualTimeMs / 1000).toFixed(1)} s virtual`) }
    })
    if (typeof flags.report === 'string') {
      writeFileSync(flags.report, renderReport({ title: `peerhive sim ${scenario.name ?? arg} (seed ${String(scenario.seed)})`, runs: res.runs, sweep: res.sweep }))
    }
    const failed = res.runs.some(r => r.errors.length > 0)
    if (ctx.json) {
      ctx.out(JSON.stringify({ scenario: scenario.name ?? arg, seed: scenario.seed, sweep: res.sweep ?? null, runs: res.runs.map(r => summarise(r, flags.trace === true)) }))
      return failed ? 1 : 0
    }
    for (const r of res.runs) {
      const c = r.swarm.completionMs
      ctx.out(`${r.name}  seed=${String(r.seed)}  peers=${r.swarm.peers}  completed=${r.swarm.completed}  distribution=${r.swarm.distributionTimeMs === null ? '-' : (r.swarm.distributionTimeMs / 1000).toFixed(2) + ' s'}` +
        `${c === null ? '' : `  completion p50=${(c.p50 / 1000).toFixed(2)} s max=${(c.max / 1000).toFixed(2)} s`}  events=${r.events}  hash=${r.hash.slice(0, 16)}`)
      if (Object.keys(r.summary).length > 0) ctx.out(`  ${JSON.stringify(r.summary)}`)
      for (const e of r.errors) ctx.err(`  error: ${e}`)
    }
    if (res.sweep !== undefined) {
      ctx.out('N  simulated(s)  D_P2P(s)  D_cs(s)  simulated/D_P2P')
      for (const s of res.sweep) ctx.out(`${s.n}  ${s.simulatedS.toFixed(1)}  ${s.dP2PS.toFixed(1)}  ${s.dCsS.toFixed(1)}  ${(s.simulatedS / s.dP2PS).toFixed(3)}`)
    }
    if (typeof flags.report === 'string') ctx.out(`report: ${flags.report}`)
    if (failed) ctx.err(`reproduce with seed=${String(scenario.seed)}`)
    return failed ? 1 : 0
  }
}]

function summarise (r: SimResult, withTrace: boolean): Record<string, unknown> {
  const { trace, series, ...rest } = r
  return { ...rest, series, ...(withTrace ? { trace } : {}) }
}
