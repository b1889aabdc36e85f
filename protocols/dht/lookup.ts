import type { PeerKey } from '../../node/ports/net.ts'
import { DhtError } from './errors.ts'
import type { RingId, RingSpace } from './ids.ts'
import type { NodeRef } from './node-ref.ts'
import { CandidatePool, type StepAnswer } from './router.ts'
import { meansDead } from './rpc.ts'

export interface LookupDeps {
  space: RingSpace
  now: () => number
  isDead: (p: PeerKey) => boolean
  markDead: (p: PeerKey) => void
  /** Ask `to` for one step; throws when `to` is unreachable. */
  step: (to: NodeRef) => Promise<StepAnswer>
  deadlineMs: number
  maxHops: number
}

export interface LookupResult {
  /** The key's successor first, then its successors. */
  nodes: NodeRef[]
  /** Remote steps taken. */
  hops: number
}

/**
 * Iterative lookup: start from our own step (or from given members, when joining), then
 * ask the closest known member preceding the key until one answers "done". A member that
 * does not answer is marked dead, one that answers with an error is skipped, and the next
 * best candidate is asked instead.
 */
export async function iterativeLookup (deps: LookupDeps, key: RingId, start: { local: StepAnswer } | { via: NodeRef[] }): Promise<LookupResult> {
  const pool = new CandidatePool(deps.space, key)
  if ('local' in start) {
    if (start.local.done) return { nodes: start.local.nodes, hops: 0 }
    pool.add(start.local.nodes)
  } else {
    pool.add(start.via)
  }
  const deadline = deps.now() + deps.deadlineMs
  let hops = 0
  let failures = 0
  let lastError: unknown
  for (;;) {
    if (deps.now() > deadline) throw new DhtError('lookup-timeout', `lookup of ${key.toString(16)} passed its ${deps.deadlineMs} ms deadline after ${hops} hops`, { hops, failures })
    if (hops + failures >= deps.maxHops) throw new DhtError('hop-limit', `lookup of ${key.toString(16)} reached ${deps.maxHops} hops`, { hops, failures })
    const n = pool.next(deps.isDead)
    if (n === undefined) throw new DhtError('lookup-failed', `lookup of ${key.toString(16)} ran out of live candidates after ${hops} hops and ${failures} dead`, { hops, failures }, { cause: lastError })
    let ans: StepAnswer
    try {
      ans = await deps.step(n)
    } catch (err) {
      lastError = err
      failures++
      // A member that answered with an error (still joining, say) is alive: only skip it.
      if (meansDead(err)) deps.markDead(n.peer)
      continue
    }
    hops++
    if (ans.done) {
      if (ans.nodes.length > 0) return { nodes: ans.nodes, hops }
      failures++
      continue
    }
    pool.add(ans.nodes, n)
  }
}
