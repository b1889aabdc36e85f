import assert from 'node:assert/strict'
import { BOOTSTRAP_RETRY_MAX_MS, KEEPER_FAST_INTERVAL_MS, KEEPER_MAX_PARALLEL_DIALS, KEEPER_SLOW_INTERVAL_MS } from '../../../node/host/constants.ts'
import { bootstrapRetryDelay, dialsWanted, nextKeeperDelay } from '../../../node/host/keeper-policy.ts'
import { RateLimiter } from '../../../node/host/rate-limiter.ts'
import { strikePolicy } from '../../../node/host/strike-policy.ts'
import { fullBucket, takeTokens } from '../../../node/host/token-bucket.ts'
import { asPeerKey } from '../../../node/ports/net.ts'
import { VirtualClock } from '../../../node/ports/virtual-clock.ts'
import { levelRange } from '../../../node/store/level-store.ts'

/** The host's pure decisions (no sockets): rate buckets, strikes, keeper timing, store ranges. */
describe('runtime host policies', function () {
  it('token bucket: a full bucket passes its depth at once, then charges debt at the rate', () => {
    let b = fullBucket(0, 1000)
    let r = takeTokens(b, 0, 1000, 10_000, 1000)
    assert.equal(r.waitMs, 0)
    b = r.bucket
    r = takeTokens(b, 0, 5000, 10_000, 1000)
    assert.equal(r.waitMs, 500, '5000 bytes of debt at 10 kB/s')
    // Debt carries: the next taker queues behind it.
    r = takeTokens(r.bucket, 0, 1000, 10_000, 1000)
    assert.equal(r.waitMs, 600)
    // Refill never exceeds the depth.
    assert.equal(takeTokens(fullBucket(0, 1000), 60_000, 0, 10_000, 1000).bucket.tokens, 1000)
  })

  it('rate limiter on virtual time: 10 frames of 10 kB at 20 kB/s take about 5 s', async () => {
    const clock = new VirtualClock()
    const rl = new RateLimiter({ uploadBps: 0, downloadBps: 0, peerUploadBps: 20_000, peerDownloadBps: 0 }, clock)
    const peer = asPeerKey('p')
    let done = 0
    const run = (async () => { for (let i = 0; i < 10; i++) { await rl.upload(peer, 10_000); done++ } })()
    await clock.runWhile(() => done < 10, 60_000)
    await run
    assert.ok(clock.now() >= 4_800 && clock.now() <= 5_000, `took ${clock.now()} virtual ms`)
    // Another peer has its own bucket.
    const t = clock.now()
    await rl.upload(asPeerKey('q'), 1000)
    assert.equal(clock.now(), t)
  })

  it('strikes count up to the limit, then ban once', () => {
    assert.deepEqual(strikePolicy(0, 3, false), { action: 'count', strikes: 1 })
    assert.deepEqual(strikePolicy(2, 3, false), { action: 'ban', strikes: 3 })
    assert.deepEqual(strikePolicy(3, 3, true), { action: 'already-banned', strikes: 4 })
  })

  it('keeper: retries back off to a cap; sweeps go fast while short and making progress, slow when healthy', () => {
    assert.ok(bootstrapRetryDelay(1) < bootstrapRetryDelay(2))
    assert.equal(bootstrapRetryDelay(50), BOOTSTRAP_RETRY_MAX_MS)
    assert.equal(nextKeeperDelay(8, 8, 1000, false), KEEPER_SLOW_INTERVAL_MS)
    assert.equal(nextKeeperDelay(2, 8, 4000, true), KEEPER_FAST_INTERVAL_MS)
    assert.equal(nextKeeperDelay(2, 8, KEEPER_FAST_INTERVAL_MS, false), 2 * KEEPER_FAST_INTERVAL_MS)
    assert.equal(nextKeeperDelay(2, 8, KEEPER_SLOW_INTERVAL_MS, false), KEEPER_SLOW_INTERVAL_MS)
    assert.equal(dialsWanted(0, 8, 100), KEEPER_MAX_PARALLEL_DIALS)
    assert.equal(dialsWanted(7, 8, 100), 1)
    assert.equal(dialsWanted(8, 8, 100), 0)
    assert.equal(dialsWanted(3, 8, 4), 1, 'never past high water')
  })

  it('store ranges: a prefix narrows gte/lt without widening them', () => {
    assert.deepEqual(levelRange({ prefix: 'ab' }), { gte: 'ab', lt: 'ab\uffff' })
    assert.deepEqual(levelRange({ prefix: 'ab', gte: 'abc' }), { gte: 'abc', lt: 'ab\uffff' })
    assert.deepEqual(levelRange({ gte: 'a', lt: 'b', limit: 2, reverse: true }), { gte: 'a', lt: 'b', limit: 2, reverse: true })
  })
})
