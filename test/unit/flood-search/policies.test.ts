import assert from 'node:assert/strict'
import { asPeerKey, type PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { WireError } from '../../../node/errors.ts'
import { GuidCache } from '../../../protocols/flood-search/guid-cache.ts'
import { newGuid, type Guid } from '../../../protocols/flood-search/guid.ts'
import { LOCAL, routeFlood, routeReply, type RouteEntry } from '../../../protocols/flood-search/router.ts'
import { RateLimiter, take } from '../../../protocols/flood-search/rate-limit.ts'
import { matches, queryKeywords, tokenize } from '../../../protocols/flood-search/matcher.ts'
import { admit, addNeighbour, learnHost, newOverlay, nextDials, removeNeighbour, silentNeighbours, type OverlayConfig } from '../../../protocols/flood-search/overlay.ts'
import { decodeSearchMsg, encodeSearchMsg, wireFile, type SearchMsg } from '../../../protocols/flood-search/messages.ts'
import { MAX_MESSAGE_BYTES } from '../../../protocols/flood-search/constants.ts'
import { fitHit } from '../../../protocols/flood-search/actor.ts'

const SEED = Number(process.env.SEED ?? 5150)
const rnd = new SeededRandom(SEED)
const k = (s: string): PeerKey => asPeerKey(s)
const g = (): Guid => newGuid(rnd)

describe('flood-search policies', () => {
  afterEach(function () { if (this.currentTest?.state === 'failed') console.log(`reproduce with SEED=${SEED}`) })

  it('guid cache: bounded, expiring on the given clock, first value kept', () => {
    const c = new GuidCache<number>(3, 1000)
    const ids = [g(), g(), g(), g()]
    assert.equal(c.add(ids[0], 1, 0), true)
    assert.equal(c.add(ids[0], 2, 10), false, 'duplicate')
    assert.equal(c.get(ids[0], 10), 1)
    c.add(ids[1], 1, 100); c.add(ids[2], 1, 200); c.add(ids[3], 1, 300)
    assert.equal(c.size, 3)
    assert.equal(c.has(ids[0], 300), false, 'oldest evicted by the bound')
    assert.equal(c.evicted, 1)
    assert.equal(c.has(ids[1], 1099), true)
    assert.equal(c.has(ids[1], 1100), false, 'expired')
    assert.equal(c.add(ids[1], 7, 1100), true, 'an expired GUID is new again')
    c.prune(5000)
    assert.equal(c.size, 0)
  })

  it('router: forwards to all neighbours but the source with TTL-1 and hops+1; drops duplicates and TTL 0', () => {
    const t = new GuidCache<RouteEntry>(100, 60_000)
    const ns = [k('a'), k('b'), k('c')]
    const q = { type: 'query' as const, guid: g(), ttl: 3, hops: 2, keywords: ['x'] }
    const d = routeFlood(t, k('b'), q, ns, 0, 7)
    assert.equal(d.action, 'accept')
    if (d.action !== 'accept') return
    assert.deepEqual(d.forward.to, [k('a'), k('c')])
    assert.equal(d.forward.msg.ttl, 2)
    assert.equal(d.forward.msg.hops, 3)
    assert.deepEqual(routeFlood(t, k('a'), q, ns, 1, 7), { action: 'drop', reason: 'duplicate' })
    assert.deepEqual(routeFlood(t, k('a'), { ...q, guid: g(), ttl: 0 }, ns, 1, 7), { action: 'drop', reason: 'expired' })
    const last = routeFlood(t, k('a'), { ...q, guid: g(), ttl: 1 }, ns, 1, 7)
    assert.ok(last.action === 'accept' && last.forward.to.length === 0, 'TTL 1: handled here, forwarded nowhere')
  })

  it('router: clamps a TTL above the maximum', () => {
    const t = new GuidCache<RouteEntry>(100, 60_000)
    const d = routeFlood(t, k('a'), { type: 'ping' as const, guid: g(), ttl: 200, hops: 0 }, [k('a'), k('b')], 0, 7)
    assert.ok(d.action === 'accept' && d.clamped && d.msg.ttl === 7 && d.forward.msg.ttl === 6)
  })

  it('router: a rate-limited descriptor is not remembered, so an honest copy still passes', () => {
    const t = new GuidCache<RouteEntry>(100, 60_000)
    const q = { type: 'query' as const, guid: g(), ttl: 3, hops: 0, keywords: ['x'] }
    assert.deepEqual(routeFlood(t, k('abuser'), q, [], 0, 7, () => false), { action: 'drop', reason: 'rate-limited' })
    assert.equal(routeFlood(t, k('honest'), q, [], 0, 7).action, 'accept')
  })

  it('router: replies follow the reverse path; unknown GUIDs are dropped, never flooded', () => {
    const t = new GuidCache<RouteEntry>(100, 60_000)
    const mine = g()
    const theirs = g()
    t.add(mine, { prev: LOCAL, relayed: 0 }, 0)
    t.add(theirs, { prev: k('up'), relayed: 0 }, 0)
    const hit = { type: 'hit' as const, ttl: 3, hops: 0, responder: k('r'), addrs: [], results: [] }
    assert.deepEqual(routeReply(t, { ...hit, guid: mine }, 1, 7), { action: 'deliver' })
    const f = routeReply(t, { ...hit, guid: theirs }, 1, 7)
    assert.ok(f.action === 'forward' && f.to === k('up') && f.msg.ttl === 2 && f.msg.hops === 1)
    assert.equal(t.get(theirs, 1)?.relayed, 1)
    assert.deepEqual(routeReply(t, { ...hit, guid: g() }, 1, 7), { action: 'drop', reason: 'unknown-guid' })
    assert.deepEqual(routeReply(t, { ...hit, guid: theirs, ttl: 1 }, 1, 7), { action: 'drop', reason: 'expired' })
    assert.deepEqual(routeReply(t, { ...hit, guid: theirs }, 70_000, 7), { action: 'drop', reason: 'unknown-guid' }, 'expired entries route nothing')
  })

  it('token bucket: burst, then the rate, per key', () => {
    const lim = new RateLimiter<string>({ ratePerSec: 2, burst: 3 })
    const got = Array.from({ length: 5 }, () => lim.allow('a', 0))
    assert.deepEqual(got, [true, true, true, false, false])
    assert.equal(lim.allow('b', 0), true, 'another neighbour has its own bucket')
    assert.equal(lim.allow('a', 499), false)
    assert.equal(lim.allow('a', 500), true, 'one token after 1/rate seconds')
    assert.equal(take({ tokens: 0, at: 0 }, { ratePerSec: 2, burst: 3 }, 100_000).bucket.tokens, 2, 'refill capped at burst')
  })

  it('matcher: case-insensitive tokens of names and tags, AND of keywords, size filters', () => {
    assert.deepEqual(tokenize('Ubuntu-24.04_Desktop.ISO'), ['ubuntu', '24', '04', 'desktop', 'iso'])
    assert.deepEqual(queryKeywords(['  UBUNTU ', 'desktop', 'Ubuntu']), ['ubuntu', 'desktop'])
    assert.deepEqual(queryKeywords('!!! ---'), [])
    const f = { link: 'l', name: 'Ubuntu-24.04_Desktop.ISO', size: 100, tags: ['Linux Distro'] }
    assert.ok(matches(f, ['ubuntu', 'iso']))
    assert.ok(matches(f, ['linux', 'distro']))
    assert.ok(!matches(f, ['ubuntu', 'server']))
    assert.ok(!matches(f, ['ubunt']), 'tokens match whole, not as substrings')
    assert.ok(matches(f, ['ubuntu'], { minSize: 100, maxSize: 100 }))
    assert.ok(!matches(f, ['ubuntu'], { minSize: 101 }))
    assert.ok(matches({ link: 'l', name: 'Ärger Ünd Straße', size: 1 }, queryKeywords('ärger STRASSE'.replace('SS', 'ß'))))
  })

  it('overlay: admits up to the max degree, joins one candidate at a time, then dials towards the target', () => {
    const cfg: OverlayConfig = { targetDegree: 3, maxDegree: 4, hostCacheSize: 5, livenessTimeoutMs: 1000, dialBackoffMs: 100, maxParallelDials: 2 }
    const s = newOverlay(k('me'))
    assert.deepEqual(admit(s, cfg, k('me')), { kind: 'refuse' })
    for (const p of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) learnHost(s, cfg, k(p), [`/x/${p}`], 0)
    assert.equal(s.hosts.size, 5, 'host cache bounded, oldest evicted')
    assert.ok(!s.hosts.has(k('a')))
    const id = <T>(xs: T[]): T[] => xs
    assert.equal(nextDials(s, cfg, 0, id).length, 1, 'joining: one at a time')
    addNeighbour(s, k('c'), [], 0)
    const more = nextDials(s, cfg, 0, id)
    assert.equal(more.length, 2)
    assert.ok(!more.includes(k('c')))
    addNeighbour(s, k('d'), [], 500, 3)
    addNeighbour(s, k('e'), [], 500, 2)
    addNeighbour(s, k('f'), [], 500, 3)
    assert.deepEqual(admit(s, cfg, k('g')), { kind: 'refuse' }, 'full at max degree')
    assert.deepEqual(admit(s, cfg, k('g'), 2), { kind: 'refuse' }, 'full: a connected joiner goes elsewhere')
    assert.deepEqual(admit(s, cfg, k('g'), 0, xs => xs[xs.length - 1]), { kind: 'make-room', drop: k('f') }, 'full: an isolated joiner gets a slot freed for it, from a best-connected neighbour')
    assert.deepEqual(admit(s, cfg, k('g'), 0, xs => xs[0]), { kind: 'make-room', drop: k('d') }, 'ties broken by the pick')
    addNeighbour(s, k('d'), [], 500, 2)
    addNeighbour(s, k('f'), [], 500, 2)
    assert.deepEqual(admit(s, cfg, k('g'), 0), { kind: 'refuse' }, 'never drops a neighbour that would keep fewer than 2 other links')
    addNeighbour(s, k('f'), [], 500, 3)
    assert.deepEqual(admit(s, cfg, k('d'), 0), { kind: 'accept' }, 'a neighbour asking again is fine')
    removeNeighbour(s, k('f'))
    assert.deepEqual(admit(s, cfg, k('g'), 0), { kind: 'accept' }, 'a free slot is simply taken')
    assert.deepEqual(silentNeighbours(s, cfg, 1200), [k('c')])
  })

  it('messages: every type round-trips; garbage and mutations only ever raise WireError', () => {
    const msgs: SearchMsg[] = [
      { type: 'hello', addrs: ['/ip4/127.0.0.1/tcp/1/p2p/x'], degree: 0 },
      { type: 'hello', addrs: [], degree: 9 },
      { type: 'welcome', addrs: [], degree: 4 },
      { type: 'busy', try: [{ peer: k('p1'), addrs: ['/a'] }, { peer: k('p2'), addrs: [] }] },
      { type: 'ping', guid: g(), ttl: 7, hops: 0 },
      { type: 'pong', guid: g(), ttl: 2, hops: 1, peer: k('p3'), addrs: ['/b', '/c'], degree: 7 },
      { type: 'query', guid: g(), ttl: 7, hops: 3, keywords: ['ubuntu', 'iso'] },
      { type: 'query', guid: g(), ttl: 1, hops: 0, keywords: ['x'], minSize: 10, maxSize: 2 ** 40 },
      { type: 'hit', guid: g(), ttl: 4, hops: 0, responder: k('p4'), addrs: ['/d'], results: [{ link: 'bafy1', name: 'a b', size: 3 }, { link: 'bafy2', name: 'c', size: 0, tags: ['t1', 't2'] }] },
      { type: 'bye', reason: 'leaving' }
    ]
    for (const m of msgs) assert.deepEqual(decodeSearchMsg(encodeSearchMsg(m)), m)
    assert.throws(() => decodeSearchMsg(new Uint8Array([99])), (e: WireError) => e.code === 'unknown-type')
    assert.throws(() => decodeSearchMsg(new Uint8Array(MAX_MESSAGE_BYTES + 1)), (e: WireError) => e.code === 'oversized')
    assert.throws(() => decodeSearchMsg(new Uint8Array([...encodeSearchMsg(msgs[3]), 0])), (e: WireError) => e.code === 'invalid')
    const noKeywords = encodeSearchMsg({ type: 'query', guid: g(), ttl: 1, hops: 0, keywords: ['x'] })
    noKeywords[19] = 0 // keyword count
    assert.throws(() => decodeSearchMsg(noKeywords), WireError)
    for (let i = 0; i < 3000; i++) {
      const base = encodeSearchMsg(msgs[rnd.int(msgs.length)])
      const b = base.slice(0, rnd.int(base.length + 1))
      for (let j = 0; j < 1 + rnd.int(3) && b.length > 0; j++) b[rnd.int(b.length)] = rnd.int(256)
      try {
        const m = decodeSearchMsg(b)
        assert.deepEqual(decodeSearchMsg(encodeSearchMsg(m)), m, 'whatever decodes re-encodes to the same message')
      } catch (err) {
        assert.ok(err instanceof WireError, `mutation ${i} threw ${(err as Error).name}: ${(err as Error).message}`)
      }
    }
  })

  it('messages: files beyond the wire limits are not announced; a hit is trimmed to fit one frame', () => {
    assert.equal(wireFile({ link: 'l', name: 'n'.repeat(300), size: 1 }), undefined)
    assert.deepEqual(wireFile({ link: 'l', name: 'n', size: 1, tags: ['ok', 't'.repeat(40)] }), { link: 'l', name: 'n', size: 1, tags: ['ok'] })
    const big = Array.from({ length: 64 }, (_, i) => ({ link: `bafy${'x'.repeat(100)}${i}`, name: 'n'.repeat(250), size: i, tags: Array.from({ length: 8 }, () => 't'.repeat(30)) }))
    const hit = fitHit({ type: 'hit', guid: g(), ttl: 1, hops: 0, responder: k('r'), addrs: [], results: big })
    assert.ok(hit !== undefined && hit.results.length > 0 && hit.results.length < 64)
    assert.ok(encodeSearchMsg(hit).length <= MAX_MESSAGE_BYTES)
    assert.equal(decodeSearchMsg(encodeSearchMsg(hit)).type, 'hit')
  })
})
