import assert from 'node:assert/strict'
import { TrackerTable } from '../../../protocols/chunk-exchange/tracker.ts'
import { pickOffer } from '../../../protocols/chunk-exchange/super-seed.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import type { Link } from '../../../protocols/chunk-exchange/manifest.ts'
import { simSwarm, bytesOf } from './sim-helpers.ts'

const L = 'bafkreitest' as Link
const P = (s: string): PeerKey => s as PeerKey

describe('tracker and super-seeding policies', () => {
  it('tracker: per-link peer lists, never the asker, at most numwant, forgotten after the TTL', () => {
    const t = new TrackerTable(1000)
    const r = new SeededRandom(1)
    assert.deepEqual(t.announce(L, P('a'), ['/a'], true, 0, 50, r), [])
    t.announce(L, P('b'), ['/b'], false, 100, 50, r)
    t.announce(L, P('c'), ['/c'], false, 200, 50, r)
    const seen = t.announce(L, P('d'), [], false, 300, 2, r)
    assert.equal(seen.length, 2)
    assert.ok(seen.every(p => p.peer !== 'd'))
    assert.deepEqual(t.peers(L, 1050, 50, r).map(p => p.peer).sort(), ['b', 'c', 'd'], 'a expired at 1000')
    t.expire(5000)
    assert.equal(t.size, 0)
    assert.equal(t.links(), 0)
  })

  it('tracker: a seed is named only leechers; a leecher is named seeds and leechers', () => {
    const t = new TrackerTable(10_000)
    const r = new SeededRandom(2)
    t.announce(L, P('s1'), ['/s1'], true, 0, 50, r)
    t.announce(L, P('l1'), ['/l1'], false, 0, 50, r)
    t.announce(L, P('l2'), ['/l2'], false, 0, 50, r)
    assert.deepEqual(t.announce(L, P('s2'), ['/s2'], true, 10, 50, r).map(p => p.peer).sort(), ['l1', 'l2'])
    assert.deepEqual(t.announce(L, P('l3'), ['/l3'], false, 20, 50, r).map(p => p.peer).sort(), ['l1', 'l2', 's1', 's2'])
    // A leecher that completes says so: seeds stop being named it.
    t.announce(L, P('l1'), ['/l1'], true, 30, 50, r)
    assert.deepEqual(t.announce(L, P('s1'), ['/s1'], true, 40, 50, r).map(p => p.peer).sort(), ['l2', 'l3'])
    assert.deepEqual(t.announce(L, P('l2'), ['/l2'], false, 50, 0, r), [], 'numwant 0: a full swarm asks for nobody')
  })

  it('super-seed: offers the least spread chunk the peer lacks, ties at random', () => {
    const spread = [3, 0, 1, 0, 2]
    const seen = new Set<number>()
    for (let seed = 1; seed <= 20; seed++) {
      const i = pickOffer(5, j => j === 3, new Set(), j => spread[j], new SeededRandom(seed))
      seen.add(i as number)
    }
    assert.deepEqual([...seen], [1], 'chunk 3 is held by the peer; 1 is the only unspread one left')
    const both = new Set<number>()
    for (let seed = 1; seed <= 20; seed++) both.add(pickOffer(5, () => false, new Set(), j => spread[j], new SeededRandom(seed)) as number)
    assert.deepEqual([...both].sort(), [1, 3])
    assert.equal(pickOffer(2, () => true, new Set(), () => 0, new SeededRandom(1)), undefined)
  })

  it('a leecher finds the seed through a tracker peer it shares with it, and downloads (virtual time)', async () => {
    const seed = 5
    const sw = simSwarm(seed)
    try {
      const tracker = await sw.add('tracker', { tracker: true })
      const s = await sw.add('seed')
      const l = await sw.add('leecher')
      sw.net.connect(s.key, tracker.key)
      sw.net.connect(l.key, tracker.key)
      const data = bytesOf(100_000, seed)
      const shared = await s.api.shareBytes('f', data)
      const h = await l.api.get(shared.link)
      let done = false
      void h.done.then(() => { done = true })
      assert.ok(await sw.clock.runWhile(() => !done, 60_000), `reproduce with seed=${seed}`)
      assert.ok(sw.net.isConnected(l.key, s.key), 'the leecher dialled the seed the tracker named')
      const st = await tracker.api.status()
      assert.deepEqual(st.tracker, { links: 1, peers: 2 })
    } finally {
      await sw.stop()
    }
  })
})
