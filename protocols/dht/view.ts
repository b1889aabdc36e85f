import type { RingView } from './api-types.ts'
import { idToHex, ringSpace } from './ids.ts'
import type { NodeRef } from './node-ref.ts'

/** `dht ring --json`: the routing state with ids as fixed-width hex. */
export interface RingJson {
  bits: number
  self: { peer: string, id: string }
  predecessor: { peer: string, id: string } | null
  successors: Array<{ peer: string, id: string }>
  fingers: Array<{ from: number, peer: string, id: string }>
  records: number
  providers: number
}

export function ringJson (v: RingView): RingJson {
  const space = ringSpace(v.bits)
  const j = (n: NodeRef): { peer: string, id: string } => ({ peer: n.peer, id: idToHex(space, n.id) })
  return {
    bits: v.bits,
    self: j(v.ring.self),
    predecessor: v.ring.pred !== undefined ? j(v.ring.pred) : null,
    successors: v.ring.succs.map(j),
    fingers: v.fingers.map(f => ({ from: f.from, ...j(f.node) })),
    records: v.records,
    providers: v.providers
  }
}

/** Human-readable lines for `dht ring`. */
export function ringLines (r: RingJson): string[] {
  const short = (n: { peer: string, id: string }): string => `${n.id.slice(0, 12)}  ${n.peer}`
  return [
    `self         ${short(r.self)}`,
    `predecessor  ${r.predecessor !== null ? short(r.predecessor) : '(none)'}`,
    ...r.successors.map((s, i) => `successor ${String(i + 1).padEnd(2)} ${short(s)}`),
    ...r.fingers.map(f => `finger ${String(f.from).padStart(3)}   ${short(f)}`),
    `records      ${r.records}`,
    `providers    ${r.providers}`
  ]
}
