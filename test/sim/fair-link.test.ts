import assert from 'node:assert/strict'
import { VirtualClock } from '../../node/ports/virtual-clock.ts'
import { FairLink, type QueuedFrame } from '../../node/sim/fair-link.ts'

/** A link at `bps` recording when each frame (by its `protocol` tag) came out. */
function link (bps: number) {
  const clock = new VirtualClock()
  const out: Array<{ tag: string, at: number }> = []
  const l = new FairLink(clock, bps, f => { out.push({ tag: f.protocol, at: clock.now() }) })
  const send = (to: string, tag: string, bytes: number): QueuedFrame => {
    const f: QueuedFrame = { from: 'me', to, protocol: tag, bytes: new Uint8Array(bytes), epoch: 1 }
    l.enqueue(to, f)
    return f
  }
  const at = (tag: string): number => {
    const e = out.find(o => o.tag === tag)
    assert.ok(e !== undefined, `${tag} never came out`)
    return e.at
  }
  return { clock, l, out, send, at }
}

const close = (a: number, b: number, what: string): void => { assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`) }

describe('sim fair link (processor sharing)', () => {
  it('serves concurrent remotes at equal shares and gives a finished share to the rest', async () => {
    const { clock, send, at } = link(10_000)
    send('a', 'a1', 10_000)
    send('b', 'b1', 20_000)
    await clock.runUntil(10_000)
    // Both at 5,000 B/s until a1 is done at 2 s; b1 then has 10,000 B left at the full 10,000 B/s.
    close(at('a1'), 2_000, 'a1')
    close(at('b1'), 3_000, 'b1')
  })

  it('keeps frame order per remote and joins a newcomer mid-frame', async () => {
    const { clock, send, at } = link(10_000)
    send('a', 'a1', 10_000)
    send('a', 'a2', 10_000)
    await clock.runUntil(500)
    send('b', 'b1', 5_000)
    await clock.runUntil(10_000)
    // a1: 5,000 B alone by 0.5 s, then halves: 5,000 B more takes 1 s -> 1.5 s; b1 then has 0 left too.
    close(at('a1'), 1_500, 'a1')
    close(at('b1'), 1_500, 'b1')
    close(at('a2'), 2_500, 'a2')
  })

  it('lets a tiny frame skip the queue to an idle remote but charges its bytes: capacity stays exact', async () => {
    const { clock, l, send, at } = link(100_000)
    send('big', 'big', 100_000)
    // 40 bytes at a half share of 100,000 B/s is 0.8 ms: under the bypass bound.
    for (let i = 0; i < 100; i++) send(`r${i}`, `tiny${i}`, 40)
    for (let i = 0; i < 100; i++) assert.equal(at(`tiny${i}`), 0)
    await clock.runUntil(10_000)
    // 100,000 + 100 x 40 bytes through 100,000 B/s.
    close(at('big'), 1_040, 'big')
    assert.equal(l.served, 104_000)
  })

  it('never lets a tiny frame overtake a frame queued to the same remote', async () => {
    const { clock, send, at } = link(100_000)
    send('a', 'piece', 50_000)
    send('a', 'have', 12)
    await clock.runUntil(10_000)
    close(at('piece'), 500, 'piece')
    assert.ok(at('have') >= at('piece'), 'the have overtook the piece before it')
  })

  it('does not bypass on a slow link: a 12-byte frame at 1 KiB/s takes its time', async () => {
    const { clock, send, at } = link(1024)
    send('a', 'have', 12)
    await clock.runUntil(1_000)
    close(at('have'), (12 * 1000) / 1024, 'have')
  })

  it('tells queued senders when their connection drops, and serves the others on', async () => {
    const { clock, l, send, at } = link(10_000)
    send('a', 'a1', 10_000)
    const behind = send('a', 'a2', 10_000)
    let why: Error | undefined
    behind.sent = err => { why = err }
    send('b', 'b1', 10_000)
    await clock.runUntil(1_000)
    l.drop('a', () => new Error('closed'))
    assert.equal(why?.message, 'closed')
    await clock.runUntil(10_000)
    // b1: 5,000 B by 1 s at half share, the other 5,000 B alone in 0.5 s.
    close(at('b1'), 1_500, 'b1')
  })
})

describe('sim fifo link (the host rate limiter\'s order)', () => {
  it('serves frames in send order across remotes, so a small frame waits for every frame sent before it', async () => {
    const clock = new VirtualClock()
    const out: Array<{ tag: string, at: number }> = []
    const l = new FairLink(clock, 10_000, f => { out.push({ tag: f.protocol, at: clock.now() }) }, 'fifo')
    const send = (to: string, tag: string, bytes: number): void => { l.enqueue(to, { from: 'me', to, protocol: tag, bytes: new Uint8Array(bytes), epoch: 1 }) }
    send('a', 'piece-a', 10_000)
    send('b', 'piece-b', 10_000)
    send('c', 'request-c', 20)
    await clock.runUntil(10_000)
    assert.deepEqual(out.map(o => o.tag), ['piece-a', 'piece-b', 'request-c'])
    close(out[2].at, 2_002, 'request-c')
    // A dropped remote's frames leave the queue; the others keep their order.
    send('a', 'a2', 10_000)
    send('b', 'b2', 10_000)
    send('a', 'a3', 10_000)
    l.drop('a')
    await clock.runUntil(20_000)
    assert.deepEqual(out.slice(3).map(o => o.tag), ['b2'])
    close(out[3].at, 11_000, 'b2')
  })
})
