import assert from 'node:assert/strict'
import { pipelineDepth } from '../../../protocols/chunk-exchange/pipeline.ts'
import { nextGap, snubAfterMs } from '../../../protocols/chunk-exchange/snub.ts'
import { PeerRate } from '../../../protocols/chunk-exchange/peer-rate.ts'
import { PIPELINE_MIN, RATE_MIN_BLOCKS, REQUEST_QUEUE_MS, SNUB_GAP_MARGIN } from '../../../protocols/chunk-exchange/constants.ts'

const BLOCK = 64 * 1024

describe('request policies: pipeline depth, snub deadline, rates over blocks', () => {
  it('sizes a peer\'s pipeline to REQUEST_QUEUE_MS of its rate, between PIPELINE_MIN and the configured depth; one request while snubbed', () => {
    // Unknown or slow peer: the minimum, so a 1 KiB/s peer never holds more than two blocks.
    assert.equal(pipelineDepth(0, BLOCK, 16, false), PIPELINE_MIN)
    assert.equal(pipelineDepth(1024, 16 * 1024, 16, false), PIPELINE_MIN)
    // 1 MB/s: 3 s hold ~46 blocks of 64 KiB, capped at the configured 16.
    assert.equal(pipelineDepth(1_000_000, BLOCK, 16, false), 16)
    // In between: what REQUEST_QUEUE_MS of the rate holds, plus the one in flight.
    const rate = 5 * BLOCK * 1000 / REQUEST_QUEUE_MS
    assert.equal(pipelineDepth(rate, BLOCK, 16, false), 6)
    assert.equal(pipelineDepth(1_000_000, BLOCK, 16, true), 1, 'snubbed: one request')
  })

  it('a peer is snubbed after SNUB_GAP_MARGIN of its usual gaps between blocks, never sooner than the configured floor', () => {
    assert.equal(snubAfterMs(30_000, undefined), 30_000, 'no gap measured yet: the floor')
    assert.equal(snubAfterMs(30_000, 200), 30_000, 'a fast peer: the floor')
    // A 16 KiB block every 80 s (1 KiB/s shared five ways) is normal for that peer, not a stall.
    assert.equal(snubAfterMs(30_000, 80_000), SNUB_GAP_MARGIN * 80_000)
    // The running gap moves a quarter of the way to each sample: one stall does not make it.
    let g = nextGap(undefined, 1000)
    assert.equal(g, 1000)
    g = nextGap(g, 9000)
    assert.equal(g, 3000)
  })

  it('rates a sparse sender over its last blocks, not over a window one block may miss', () => {
    const r = new PeerRate(20_000)
    // One 16 KiB block every 80 s: in a 20 s window the rate read 819 B/s or 0 by turns.
    for (let t = 0; t <= 8 * 80_000; t += 80_000) r.add(16 * 1024, t)
    const samples = [10_000, 30_000, 50_000, 70_000].map(dt => r.rate(8 * 80_000 + dt))
    for (const s of samples) assert.ok(s > 100 && s < 300, `steady ~200 B/s over the last ${RATE_MIN_BLOCKS} blocks, got ${s.toFixed(0)}`)
    assert.ok(samples[3] < samples[0], 'and it fades while nothing arrives')
    // A dense sender: the plain window rate.
    const d = new PeerRate(20_000)
    for (let t = 0; t < 20_000; t += 100) d.add(64 * 1024, t)
    const dense = d.rate(20_000)
    assert.ok(Math.abs(dense - 64 * 1024 * 10) / (64 * 1024 * 10) < 0.06, `dense rate ${dense}`)
  })
})
