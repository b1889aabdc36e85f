import assert from 'node:assert/strict'
import type { PeerKey } from '../../../node/ports/net.ts'
import { DEGREE_LIMIT } from '../../../protocols/flood-search/constants.ts'
import { searchAll, simSwarm, type SimSwarm, type SimSearchPeer } from './sim-swarm.ts'

const SEED = process.env.SEED ?? 'flood-1'

/** Shortest overlay distance from `from` to every peer (BFS over the neighbour sets). */
async function distances (s: SimSwarm, from: SimSearchPeer): Promise<Map<PeerKey, number>> {
  const adj = new Map<PeerKey, PeerKey[]>()
  for (const p of s.peers) adj.set(p.key, (await p.api.neighbours()).map(n => n.peer))
  const dist = new Map<PeerKey, number>([[from.key, 0]])
  const queue = [from.key]
  while (queue.length > 0) {
    const x = queue.shift() as PeerKey
    for (const y of adj.get(x) ?? []) if (!dist.has(y)) { dist.set(y, (dist.get(x) as number) + 1); queue.push(y) }
  }
  return dist
}

describe('flood search on the simulated network', function () {
  let s: SimSwarm

  beforeEach(async () => {
    s = await simSwarm(30, SEED)
    await s.clock.advance(30_000)
  })
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(`reproduce with SEED=${SEED}`)
    await s.stop()
  })

  it('forms a connected overlay of fewer than 10 neighbours each, symmetric, from one bootstrap peer', async () => {
    for (const p of s.peers) {
      const ns = await p.api.neighbours()
      assert.ok(ns.length >= 1 && ns.length <= DEGREE_LIMIT, `${p.key} has ${ns.length} neighbours`)
      for (const n of ns) {
        const back = await s.byKey.get(n.peer)?.api.neighbours()
        assert.ok(back?.some(b => b.peer === p.key), `${p.key} -> ${n.peer} is not symmetric`)
      }
    }
    const d = await distances(s, s.peers[0])
    assert.equal(d.size, 30, 'every peer reachable over the overlay')
    const degrees = await Promise.all(s.peers.map(async p => (await p.api.neighbours()).length))
    assert.ok(degrees.filter(x => x >= 4).length >= 25, `most peers reach the target degree: ${degrees.join(',')}`)
  })

  it('finds a file within the TTL horizon, each peer handling the GUID once, hits over the reverse path', async () => {
    const [origin, holder] = [s.peers[7], s.peers[23]]
    holder.files.push({ link: 'bafyholder', name: 'Ubuntu-24.04_Desktop.ISO', size: 1234, tags: ['linux'] })
    s.peers[5].files.push({ link: 'bafyother', name: 'unrelated.txt', size: 1 })
    const before = await Promise.all(s.peers.map(async p => await p.api.stats()))
    const hits = await searchAll(s, origin, 'ubuntu desktop')
    assert.equal(hits.length, 1)
    assert.equal(hits[0].file.link, 'bafyholder')
    assert.equal(hits[0].peer, holder.key)
    assert.deepEqual(hits[0].addrs, [`/sim/${holder.key}`])
    const dist = await distances(s, origin)
    assert.equal(hits[0].hops, dist.get(holder.key), 'the hit reports the overlay distance')

    const after = await Promise.all(s.peers.map(async p => await p.api.stats()))
    let dups = 0
    for (let i = 0; i < s.peers.length; i++) {
      const accepted = after[i].queriesAccepted - before[i].queriesAccepted
      assert.ok(accepted <= 1, `${s.peers[i].key} accepted the query ${accepted} times`)
      if (s.peers[i] !== origin) assert.equal(accepted, 1, `${s.peers[i].key} within TTL 7 must see the query`)
      dups += after[i].duplicateQueries - before[i].duplicateQueries
    }
    assert.ok(dups > 0, 'a flood over a graph with cycles produces duplicates, all dropped')

    // Reverse path: follow prev hops from the holder back to the origin.
    const path = new Set<PeerKey>()
    let at: PeerKey = holder.key
    for (let i = 0; i < 30 && at !== origin.key; i++) {
      const r = await s.byKey.get(at)?.api.route(hits[0].guid)
      assert.ok(r !== undefined && r.prev !== 'local', `${at} knows where the query came from`)
      at = r.prev as PeerKey
      if (at !== origin.key) path.add(at)
    }
    assert.equal(at, origin.key)
    assert.equal(path.size, hits[0].hops - 1)
    for (let i = 0; i < s.peers.length; i++) {
      const p = s.peers[i]
      const relayed = after[i].hitsRelayed - before[i].hitsRelayed
      const got = after[i].received.hit - before[i].received.hit
      if (path.has(p.key)) assert.equal(relayed, 1, `${p.key} on the path relays the hit`)
      else if (p !== origin) assert.equal(got, 0, `${p.key} off the path never sees the hit`)
    }
  })

  it('TTL 1 reaches neighbours only; TTL 2 reaches exactly distance <= 2', async () => {
    const origin = s.peers[11]
    const dist = await distances(s, origin)
    for (const p of s.peers) if (p !== origin) p.files.push({ link: `bafy${p.key}`, name: 'common file', size: 10 })
    for (const ttl of [1, 2]) {
      const hits = await searchAll(s, origin, 'common', { ttl })
      const responders = new Set(hits.map(h => h.peer))
      const expected = new Set(s.peers.filter(p => p !== origin && (dist.get(p.key) as number) <= ttl).map(p => p.key))
      assert.deepEqual([...responders].sort(), [...expected].sort(), `ttl ${ttl}`)
      for (const h of hits) assert.ok(h.hops <= ttl)
    }
  })

  it('clamps an incoming TTL above the configured maximum', async () => {
    // The origin allows TTL 7; everyone else clamps incoming TTLs to 2. Degree 3 keeps the
    // 16-peer overlay deeper than 2 hops whatever the seed.
    const t = await simSwarm(16, `${SEED}-clamp`, { maxTtl: 2, targetDegree: 3, maxDegree: 3 }, i => i === 3 ? { maxTtl: 7 } : {})
    try {
      await t.clock.advance(20_000)
      const origin = t.peers[3]
      const dist = await distances(t, origin)
      for (const p of t.peers) if (p !== origin) p.files.push({ link: `bafy${p.key}`, name: 'x file', size: 1 })
      const neighbours = (await origin.api.neighbours()).map(n => n.peer)
      const clampedBefore = await Promise.all(neighbours.map(async n => (await t.byKey.get(n)?.api.stats())?.ttlClamped ?? 0))
      const hits = await searchAll(t, origin, 'file', { ttl: 7 })
      const within = t.peers.filter(p => p !== origin && (dist.get(p.key) as number) <= 2)
      assert.ok(within.length < t.peers.length - 1, 'the overlay is deeper than 2 hops, so the clamp matters')
      assert.deepEqual(hits.map(h => h.peer).sort(), within.map(p => p.key).sort())
      for (let i = 0; i < neighbours.length; i++) {
        const st = await t.byKey.get(neighbours[i])?.api.stats()
        assert.equal((st?.ttlClamped ?? 0) - clampedBefore[i], 1, `${neighbours[i]} clamped the query's TTL`)
      }
    } finally {
      await t.stop()
    }
  })

  it('rate-limits queries per neighbour: a peer firing 300 queries gets only its burst through, others still find files', async () => {
    const abuser = s.peers[4]
    const [origin, holder] = [s.peers[17], s.peers[26]]
    holder.files.push({ link: 'bafyreal', name: 'real thing', size: 5 })
    const abuserNeighbours = (await abuser.api.neighbours()).map(n => n.peer)
    const before = await Promise.all(s.peers.map(async p => await p.api.stats()))
    const floods = Array.from({ length: 300 }, (_, i) => (async () => { for await (const h of abuser.api.search(`junk${i}`, { timeoutMs: 1000 })) void h })())
    const hits = await searchAll(s, origin, 'real thing')
    await Promise.all(floods)
    assert.equal(hits.length, 1)
    assert.equal(hits[0].file.link, 'bafyreal')
    const after = await Promise.all(s.peers.map(async p => await p.api.stats()))
    const burst = 40
    for (let i = 0; i < s.peers.length; i++) {
      const p = s.peers[i]
      const accepted = after[i].queriesAccepted - before[i].queriesAccepted
      assert.ok(accepted <= abuserNeighbours.length * burst + 1, `${p.key} accepted ${accepted} queries`)
      if (abuserNeighbours.includes(p.key)) {
        assert.ok(after[i].rateLimited - before[i].rateLimited >= 300 - burst - 1, `${p.key} rate-limited the abuser`)
      }
    }
  })

  it('replaces lost neighbours: after a crash and a silent peer, degrees recover from known addresses', async () => {
    const victim = s.peers[9]
    const silent = s.peers[21]
    const orphans = (await victim.api.neighbours()).map(n => n.peer).filter(p => p !== silent.key)
    const quietOnes = (await silent.api.neighbours()).map(n => n.peer).filter(p => p !== victim.key)
    victim.host.crash()
    silent.host.alive = false // links stay up, nothing gets through: only liveness can tell
    // Silence is noticed within livenessTimeout + one ping interval (60 s by default); then a dial.
    await s.clock.advance(70_000)
    for (const key of [...orphans, ...quietOnes]) {
      const p = s.byKey.get(key) as SimSearchPeer
      const ns = (await p.api.neighbours()).map(n => n.peer)
      assert.ok(!ns.includes(victim.key) && !ns.includes(silent.key), `${key} dropped the lost neighbours`)
      assert.ok(ns.length >= 4, `${key} is back at the target degree (has ${ns.length})`)
      const st = await p.api.stats()
      assert.ok(st.neighboursLost >= 1)
    }
    const live = s.peers.filter(p => p !== victim && p !== silent)
    const d = await distances(s, live[0])
    for (const p of live) assert.ok(d.has(p.key), `${p.key} still reachable`)
  })
})
