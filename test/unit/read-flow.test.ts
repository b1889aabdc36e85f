import assert from 'node:assert/strict'
import { shouldPause, type FlowInput } from '../../node/host/read-flow.ts'

/** The stream reader's pause decision (node/host/read-flow.ts), exhaustively on a small grid. */
describe('read flow: when a stream reader pauses its stream', () => {
  const base: FlowInput = { paused: false, buffered: 0, needed: 0, highWater: 1000, lowWater: 250 }

  it('pauses at the high mark and resumes below the low mark (hysteresis)', () => {
    assert.equal(shouldPause({ ...base, buffered: 999 }), false)
    assert.equal(shouldPause({ ...base, buffered: 1000 }), true)
    assert.equal(shouldPause({ ...base, paused: true, buffered: 500 }), true, 'stays paused between the marks')
    assert.equal(shouldPause({ ...base, paused: true, buffered: 249 }), false)
    assert.equal(shouldPause({ ...base, paused: false, buffered: 500 }), false, 'stays running between the marks')
  })

  it('never pauses while the pending read needs more than is buffered (no deadlock on a large frame)', () => {
    for (const paused of [false, true]) {
      for (let buffered = 0; buffered <= 5000; buffered += 125) {
        for (const needed of [0, 1, 999, 1000, 1001, 4000, 5001]) {
          const p = shouldPause({ ...base, paused, buffered, needed })
          if (needed > buffered) assert.equal(p, false, `paused=${paused} buffered=${buffered} needed=${needed}`)
          else assert.equal(p, paused ? buffered >= base.lowWater : buffered >= base.highWater, `paused=${paused} buffered=${buffered} needed=${needed}`)
        }
      }
    }
  })
})
