/**
 * Deep-merge partial config objects (scenario-wide, per group, per workload), later ones
 * winning field by field. Validation happens once, in SimPeer, against the peer schema.
 */
export function mergeConfig (...parts: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of parts) {
    if (p === undefined) continue
    for (const [k, v] of Object.entries(p)) {
      const prev = out[k]
      out[k] = isObject(v) && isObject(prev) ? mergeConfig(prev, v) : v
    }
  }
  return out
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
