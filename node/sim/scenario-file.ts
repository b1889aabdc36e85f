import { readFileSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PeerhiveError } from '../errors.ts'
import type { Scenario } from './scenario.ts'

/** Where built-in scenario files live: `peerhive sim textbook` reads sim/textbook.json. */
export const SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../sim')

export class ScenarioError extends PeerhiveError {
  constructor (field: string, expected: string, got: unknown, source: string) {
    super('invalid-scenario', `${source}: ${field}: expected ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`, { field, source })
  }
}

/** Resolve a scenario argument: a path to a JSON file, or the name of one in sim/. */
export function scenarioPath (arg: string): string {
  if (existsSync(arg)) return arg
  const named = join(SCENARIO_DIR, arg.endsWith('.json') ? arg : `${arg}.json`)
  if (existsSync(named)) return named
  throw new PeerhiveError('no-such-scenario', `no scenario ${JSON.stringify(arg)}: not a file, and not in ${SCENARIO_DIR}`, { scenario: arg })
}

export function loadScenario (arg: string): Scenario {
  const path = scenarioPath(arg)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new PeerhiveError('invalid-scenario', `${path}: not valid JSON: ${(err as Error).message}`, { path })
  }
  return checkScenario(raw, path)
}

const ACTIONS = ['crash', 'stop', 'restart', 'cut', 'reconnect', 'partition', 'heal']
const ROLES = ['seed', 'leecher', 'free-rider', 'peer']

/** Check the shape of a scenario, naming the first bad field. */
export function checkScenario (raw: unknown, source: string): Scenario {
  const obj = (v: unknown, f: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ScenarioError(f, 'an object', v, source)
    return v as Record<string, unknown>
  }
  const num = (v: unknown, f: string, min = 0): void => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min)) throw new ScenarioError(f, `a number >= ${min}`, v, source)
  }
  const s = obj(raw, '(root)')
  if (typeof s.workload !== 'string') throw new ScenarioError('workload', 'a workload name (chunks, dht, search)', s.workload, source)
  if (typeof s.seed !== 'number' && typeof s.seed !== 'string') throw new ScenarioError('seed', 'a number or string', s.seed, source)
  num(s.until, 'until', 1)
  if (s.until === undefined) throw new ScenarioError('until', 'a virtual time limit in ms', undefined, source)
  if (!Array.isArray(s.peers) || s.peers.length === 0) throw new ScenarioError('peers', 'a non-empty list of peer groups', s.peers, source)
  s.peers.forEach((g, i) => {
    const p = obj(g, `peers[${i}]`)
    num(p.count, `peers[${i}].count`, 1)
    if (!Number.isInteger(p.count)) throw new ScenarioError(`peers[${i}].count`, 'an integer >= 1', p.count, source)
    if (p.role !== undefined && !ROLES.includes(p.role as string)) throw new ScenarioError(`peers[${i}].role`, `one of ${ROLES.join(' | ')}`, p.role, source)
    for (const k of ['uploadBps', 'downloadBps', 'latencyMs', 'joinAt', 'joinSpreadMs']) num(p[k], `peers[${i}].${k}`)
  })
  if (s.file !== undefined) {
    const f = obj(s.file, 'file')
    num(f.sizeBytes, 'file.sizeBytes', 1)
    num(f.chunkSize, 'file.chunkSize', 1)
    num(f.blockSize, 'file.blockSize', 1)
  }
  if (s.links !== undefined) {
    const l = obj(s.links, 'links')
    num(l.lossRate, 'links.lossRate')
    if (typeof l.lossRate === 'number' && l.lossRate > 1) throw new ScenarioError('links.lossRate', 'a probability in [0, 1]', l.lossRate, source)
    if (l.discipline !== undefined && l.discipline !== 'fair' && l.discipline !== 'fifo') throw new ScenarioError('links.discipline', 'fair | fifo', l.discipline, source)
  }
  if (s.churn !== undefined) {
    if (!Array.isArray(s.churn)) throw new ScenarioError('churn', 'a list of events', s.churn, source)
    s.churn.forEach((e, i) => {
      const ev = obj(e, `churn[${i}]`)
      num(ev.at, `churn[${i}].at`)
      if (!ACTIONS.includes(ev.action as string)) throw new ScenarioError(`churn[${i}].action`, `one of ${ACTIONS.join(' | ')}`, ev.action, source)
    })
  }
  if (s.sweep !== undefined) {
    const w = obj(s.sweep, 'sweep')
    if (!Array.isArray(w.n) || w.n.some(x => !Number.isInteger(x) || x < 1)) throw new ScenarioError('sweep.n', 'a list of integers >= 1', w.n, source)
  }
  return s as unknown as Scenario
}
