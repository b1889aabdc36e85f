import assert from 'node:assert/strict'
import { asPeerKey } from '../../../node/ports/net.ts'
import { snubAfterMs } from '../../../protocols/chunk-exchange/snub.ts'
import { UploadLedger } from '../../../protocols/chunk-exchange/upload-ledger.ts'

const A = asPeerKey('12D3KooWA')
const B = asPeerKey('12D3KooWB')
const deadline = (gap: number | undefined): number => snubAfterMs(30_000, gap)

describe('upload ledger: pieces in the transport, per peer and in total', () => {
  it('counts pieces until confirmed; a release gives a peer\'s share back at once', () => {
    const l = new UploadLedger()
    l.sent(A, 0)
    l.sent(A, 0)
    l.sent(B, 0)
    assert.equal(l.total, 3)
    l.confirmed(A, 10)
    assert.equal(l.total, 2)
    l.release(A)
    assert.equal(l.total, 1, 'only B\'s piece left')
    // A late confirmation of a released piece does not drive the total below what is in flight.
    l.confirmed(A, 20)
    assert.equal(l.total, 1)
    l.forget(B)
    assert.equal(l.total, 0)
  })

  it('a peer stalls past the floor deadline; one whose pieces usually wait long gets a longer one', () => {
    const l = new UploadLedger()
    l.sent(A, 0)
    assert.deepEqual(l.stalled(30_000, deadline), [])
    assert.deepEqual(l.stalled(30_001, deadline), [A])
    // B: pieces queue behind each other and each waits 80 s (a 1 KiB/s link shared five ways).
    for (let i = 0; i < 4; i++) l.sent(B, 0)
    for (let t = 80_000; t <= 240_000; t += 80_000) l.confirmed(B, t)
    assert.ok(!l.stalled(240_000 + 60_000, deadline).includes(B), 'a usual 80 s wait is not a stall at 60 s')
    assert.ok(l.stalled(240_000 + 10 * 80_000, deadline).includes(B), 'but ten usual waits are')
  })
})
