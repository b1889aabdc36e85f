import { PeerhiveError } from '../../errors.ts'
import type { Workload } from '../workload.ts'

/** Built-in workloads by scenario name; each loads its protocol module only when used. */
const BUILTIN: Record<string, () => Promise<Workload>> = {
  chunks: async () => (await import('./chunks.ts')).chunksWorkload(),
  dht: async () => (await import('./dht.ts')).dhtWorkload(),
  search: async () => (await import('./search.ts')).searchWorkload()
}

export const WORKLOAD_NAMES = (): string[] => Object.keys(BUILTIN)

export async function resolveWorkload (name: string): Promise<Workload> {
  const make = BUILTIN[name]
  if (make === undefined) throw new PeerhiveError('unknown-workload', `unknown workload ${JSON.stringify(name)}; known: ${Object.keys(BUILTIN).join(', ') || '(none yet)'}`, { workload: name })
  return await make()
}
