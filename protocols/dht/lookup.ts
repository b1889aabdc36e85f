import type { PeerKey } from '../../node/ports/net.ts'
import { DhtError } from './errors.ts'
import { inOpen, type RingId, type RingSpace } from './ids.ts'
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
  /** Ask `to` for its successor list (the fallback when every candidate it named is dead). */
  successorsOf: (to: NodeRef) => Promise<NodeRef[]>
  /** Our own step again, skipping peers that failed meanwhile (the fallback when our first candidates are all dead). */
  localStep?: (isDead: (p: PeerKey) => boolean) => StepAnswer
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
  // Peers that failed in this lookup: the actor learns of them through its mailbox, later.
  const down = new Set<PeerKey>()
  const isDead = (p: PeerKey): boolean => down.has(p) || deps.isDead(p)
  let hops = 0
  let failures = 0
  let lastError: unknown
  /** The closest member that answered a step, and whether its successors were read already. */
  let closest: NodeRef | undefined
  let fellBack = false
  for (;;) {
    if (deps.now() > deadline) throw new DhtError('lookup-timeout', `lookup of ${key.toString(16)} passed its ${deps.deadlineMs} ms deadline after ${hops} hops`, { hops, failures })
    if (hops + failures >= deps.maxHops) throw new DhtError('hop-limit', `lookup of ${key.toString(16)} reached ${deps.maxHops} hops`, { hops, failures })
    const n = pool.next(isDead)
    if (n === undefined) {
      // Every candidate the closest member named is dead, and it does not know yet (its
      // successor crashed a moment ago, say). Its successor list skips past them: a live
      // entry before the key is a new candidate; the first live one at or after the key
      // (with none before it) owns the key.
      if (closest === undefined && deps.localStep !== undefined) {
        // Our own table again without the peers that failed: as long as it names someone
        // new (each failure counts towards the hop limit, so this ends).
        const again = deps.localStep(isDead)
        if (again.done) return { nodes: again.nodes, hops }
        const before = pool.size
        pool.add(again.nodes)
        if (pool.size > before) continue
      }
      if (closest !== undefined && !fellBack) {
        fellBack = true
        const from = closest
        try {
          const succs = (await deps.successorsOf(from)).filter(x => !isDead(x.peer))
          hops++
          const owner = succs.findIndex(x => !inOpen(deps.space, x.id, from.id, key))
          if (owner === 0) return { nodes: succs, hops }
          pool.add(succs.slice(0, owner < 0 ? succs.length : owner), from)
          continue
        } catch (err) {
          lastError = err
          failures++
          if (meansDead(err)) { down.add(from.peer); deps.markDead(from.peer) }
        }
      }
      throw new DhtError('lookup-failed', `lookup of ${key.toString(16)} ran out of live candidates after ${hops} hops and ${failures} dead`, { hops, failures }, { cause: lastError })
    }
    let ans: StepAnswer
    try {
      ans = await deps.step(n)
    } catch (err) {
      lastError = err
      failures++
      // A member that answered with an error (still joining, say) is alive: only skip it.
      if (meansDead(err)) { down.add(n.peer); deps.markDead(n.peer) }
      continue
    }
    hops++
    if (ans.done) {
      const nodes = ans.nodes.filter(x => !down.has(x.peer))
      if (nodes.length > 0) return { nodes, hops }
      failures++
      continue
    }
    closest = n
    fellBack = false
    pool.add(ans.nodes, n)
  }
}
