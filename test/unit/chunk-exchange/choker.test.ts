import assert from 'node:assert/strict'
import { admitNewcomer, rechoke, serveOrder } from '../../../protocols/chunk-exchange/choker.ts'
import { RateMeter } from '../../../protocols/chunk-exchange/rate.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import type { PeerKey } from '../../../node/ports/net.ts'

const RECHOKE = 10_000
const OPTIMISTIC = 30_000

interface Sim {
  peer: PeerKey
  /** Bytes/s this peer sends us, as a function of whether we unchoke it. */
  rate: (unchoked: boolean) => number
  meter: RateMeter
}

/** Drive the choker on a virtual clock: rates fed every second, evaluation every 10 s, rotation every 30 s. */
async function run (peers: Sim[], seed: number, seconds: number, onRound: (round: number, d: ReturnType<typeof rechoke>) => void): Promise<void> {
  const clock = new VirtualClock()
  const random = new SeededRandom(seed)
  let unchoked = new Set<PeerKey>()
  let optimistic: PeerKey | undefined
  let round = 0
  clock.setPeriodic(1000, () => { for (const p of peers) p.meter.add(p.rate(unchoked.has(p.peer)), clock.now()) })
  clock.setPeriodic(RECHOKE, () => {
    const rotate = round % (OPTIMISTIC / RECHOKE) === 0
    const d = rechoke({ candidates: peers.map(p => ({ peer: p.peer, interested: true, downRate: p.meter.rate(clock.now()), upRate: 0 })), slots: 4, seed: false, optimistic, rotate }, random)
    unchoked = d.unchoked
    optimistic = d.optimistic
    onRound(round++, d)
  })
  await clock.advance(seconds * 1000)
}

describe('choker: tit-for-tat on virtual time', () => {
  it('unchokes exactly the top 4 by rate at each 10 s step and rotates one optimistic unchoke at each 30 s step', async () => {
    const rates = [900, 100, 700, 300, 800, 200, 600, 50]
    const peers: Sim[] = rates.map((r, i) => ({ peer: `p${i}` as PeerKey, rate: () => r * 1000, meter: new RateMeter(20_000) }))
    const top4 = ['p0', 'p4', 'p2', 'p6']
    const optimistics: Array<PeerKey | undefined> = []
    await run(peers, 11, 180, (round, d) => {
      assert.deepEqual([...d.regular].sort(), [...top4].sort(), `round ${round}`)
      assert.equal(d.unchoked.size, 5)
      assert.ok(d.optimistic !== undefined && !top4.includes(d.optimistic))
      optimistics.push(d.optimistic)
    })
    assert.equal(optimistics.length, 18)
    for (let r = 1; r < optimistics.length; r++) {
      if (r % 3 === 0) assert.notEqual(optimistics[r], optimistics[r - 1], `rotation at ${(r + 1) * 10} s`)
      else assert.equal(optimistics[r], optimistics[r - 1], `kept between rotations at ${(r + 1) * 10} s`)
    }
  })

  it('a newly optimistic peer that uploads fast enters the top 4 at the next evaluation', async () => {
    const base = [500, 400, 300, 200, 10, 10]
    const peers: Sim[] = base.map((r, i) => ({ peer: `p${i}` as PeerKey, rate: () => r * 1000, meter: new RateMeter(20_000) }))
    // `fast` reciprocates hard once unchoked, and sends nothing while choked.
    peers.push({ peer: 'fast' as PeerKey, rate: (u) => u ? 2_000_000 : 0, meter: new RateMeter(20_000) })
    let optimisticAt = -1
    let joinedAt = -1
    await run(peers, 3, 400, (round, d) => {
      if (optimisticAt < 0 && d.optimistic === 'fast') optimisticAt = round
      if (joinedAt < 0 && d.regular.includes('fast' as PeerKey)) joinedAt = round
    })
    assert.ok(optimisticAt >= 0, 'fast was optimistically unchoked at some rotation')
    assert.equal(joinedAt, optimisticAt + 1, 'and ranked into the top 4 at the very next evaluation')
  })

  it('a seed ranks by upload rate; a newcomer is unchoked at once while a slot is free', () => {
    const d = rechoke({
      candidates: [
        { peer: 'a' as PeerKey, interested: true, downRate: 0, upRate: 10 },
        { peer: 'b' as PeerKey, interested: true, downRate: 0, upRate: 50 },
        { peer: 'c' as PeerKey, interested: false, downRate: 0, upRate: 99 }
      ],
      slots: 1,
      seed: true,
      rotate: true
    }, new SeededRandom(1))
    assert.deepEqual(d.regular, ['b'])
    assert.equal(d.optimistic, 'a')
    assert.equal(admitNewcomer(4, 4), true)
    assert.equal(admitNewcomer(5, 4), false)
  })

  it('a seed ranks a peer that hoards its chunks after every peer that spreads them, whatever its rate', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const d = rechoke({
        candidates: [
          { peer: 'rider' as PeerKey, interested: true, downRate: 0, upRate: 900, spreads: false },
          { peer: 'a' as PeerKey, interested: true, downRate: 0, upRate: 100, spreads: true },
          { peer: 'b' as PeerKey, interested: true, downRate: 0, upRate: 50 },
          { peer: 'c' as PeerKey, interested: true, downRate: 0, upRate: 10, spreads: true }
        ],
        slots: 2,
        seed: true,
        rotate: true
      }, new SeededRandom(seed))
      assert.deepEqual(d.regular, ['a', 'b'], `seed=${seed}`)
      assert.ok(d.optimistic === 'rider' || d.optimistic === 'c', 'the hoarder can still win the optimistic slot')
    }
    // A leecher ranks by what the peer sends it: `spreads` is a seed's criterion only.
    const leech = rechoke({
      candidates: [
        { peer: 'x' as PeerKey, interested: true, downRate: 900, upRate: 0, spreads: false },
        { peer: 'y' as PeerKey, interested: true, downRate: 100, upRate: 0 }
      ],
      slots: 1,
      seed: false,
      rotate: true
    }, new SeededRandom(1))
    assert.deepEqual(leech.regular, ['x'])
  })

  it('upload turns go round robin among hungry peers, whatever idle peers precede them in the list', () => {
    // Two idle peers (choked, or the seed) sit before `rider`; `a` and `b` sit right after it.
    // One upload slot frees at a time and goes to the first hungry peer in serve order. The old
    // rule (start one place further at each call) gave `rider` every turn that fell on an idle
    // peer: 3 of 5 turns here, against 1 each for `a` and `b`.
    const list = ['idle1', 'idle2', 'rider', 'a', 'b'] as PeerKey[]
    const hungry = new Set(['rider', 'a', 'b'])
    const turns = new Map<PeerKey, number>()
    let last: PeerKey | undefined
    for (let t = 0; t < 300; t++) {
      const next = [...serveOrder(list, last)].find(p => hungry.has(p))
      assert.ok(next !== undefined)
      turns.set(next, (turns.get(next) ?? 0) + 1)
      last = next
    }
    assert.deepEqual([turns.get('rider' as PeerKey), turns.get('a' as PeerKey), turns.get('b' as PeerKey)], [100, 100, 100])
    // A peer that left (no longer listed) restarts the order at the head.
    assert.deepEqual([...serveOrder(list, 'gone' as PeerKey)], list)
    assert.deepEqual([...serveOrder(list, 'b' as PeerKey)], list)
    // The swarm walks its peer map directly: same order as over the list of its keys.
    const byKey = new Map(list.map(k => [k, 0]))
    for (const at of [undefined, 'gone', ...list] as Array<PeerKey | undefined>) assert.deepEqual([...serveOrder(byKey, at)], [...serveOrder(list, at)])
    assert.deepEqual([...serveOrder(byKey, 'rider' as PeerKey)], ['a', 'b', 'idle1', 'idle2', 'rider'])
  })
})
