import assert from 'node:assert/strict'
import { ActorSystem } from '../../node/kernel/system.ts'
import type { ActorComponents, Reply } from '../../node/kernel/actor.ts'
import { VirtualClock } from '../../node/ports/virtual-clock.ts'
import { SeededRandom } from '../../node/ports/random.ts'
import { MemoryStore } from '../../node/ports/memory-store.ts'
import { createLogger, MemorySink } from '../../node/ports/logger.ts'
import { getJson, putJson } from '../../node/ports/store.ts'
import { ActorError } from '../../node/errors.ts'

function env (clock = new VirtualClock()) {
  const sink = new MemorySink()
  return { clock, sink, env: { clock, random: new SeededRandom(1), store: new MemoryStore(), logger: createLogger(sink.sink, { level: 'debug', now: () => clock.now() }) } }
}

describe('virtual clock', () => {
  it('fires timers in time order, ties in insertion order, periodic ones repeatedly', async () => {
    const clock = new VirtualClock()
    const fired: string[] = []
    clock.setTimer(30, () => fired.push('c@30'))
    clock.setTimer(10, () => fired.push('a@10'))
    clock.setTimer(10, () => fired.push('b@10'))
    const p = clock.setPeriodic(25, () => fired.push(`p@${clock.now()}`))
    const cancelled = clock.setTimer(20, () => fired.push('never'))
    cancelled.cancel()
    await clock.advance(60)
    p.cancel()
    await clock.advance(100)
    assert.deepEqual(fired, ['a@10', 'b@10', 'p@25', 'c@30', 'p@50'])
    assert.equal(clock.now(), 160)
  })

  it('lets a timer schedule another inside the same advance', async () => {
    const clock = new VirtualClock()
    const at: number[] = []
    clock.setTimer(5, () => { at.push(clock.now()); clock.setTimer(5, () => at.push(clock.now())) })
    await clock.advance(10)
    assert.deepEqual(at, [5, 10])
  })
})

type CounterMsg =
  | { type: 'inc' }
  | { type: 'boom' }
  | { type: 'get', reply: Reply<number> }
  | { type: 'slow', reply: Reply<void> }

const counter = () => (c: ActorComponents<CounterMsg>) => {
  let n = 0
  return {
    async start () { n = (await getJson<number>(c.store, 'n')) ?? 0 },
    async receive (m: CounterMsg) {
      switch (m.type) {
        case 'inc': n++; await putJson(c.store, 'n', n); break
        case 'boom': throw new Error('kaboom')
        case 'get': m.reply.ok(n); break
        case 'slow': await new Promise<void>(resolve => c.clock.setTimer(1000, resolve)); m.reply.ok(); break
      }
    },
    status: () => ({ n })
  }
}

describe('actor system', () => {
  it('handles one message at a time and answers ask', async () => {
    const { env: e } = env()
    const sys = new ActorSystem(e)
    const ref = sys.spawn({ name: 'counter', factory: counter() })
    await sys.ready()
    for (let i = 0; i < 5; i++) ref.tell({ type: 'inc' })
    assert.equal(await ref.ask<number>(reply => ({ type: 'get', reply })), 5)
    await sys.stop()
  })

  it('restarts a crashed actor from its stored state', async () => {
    const { env: e, sink } = env()
    const sys = new ActorSystem(e)
    const ref = sys.spawn({ name: 'counter', factory: counter() })
    await sys.ready()
    ref.tell({ type: 'inc' }); ref.tell({ type: 'inc' })
    ref.tell({ type: 'boom' })
    ref.tell({ type: 'inc' })
    assert.equal(await ref.ask<number>(reply => ({ type: 'get', reply })), 3)
    const st = sys.status()[0]
    assert.equal(st.restarts, 1)
    assert.equal(st.state, 'running')
    assert.ok(sink.records.some(r => r.level === 'warn' && r.msg.includes('restarting')))
    await sys.stop()
  })

  it('gives up after too many crashes within the window and says so', async () => {
    const { env: e, sink } = env()
    const sys = new ActorSystem(e)
    const ref = sys.spawn({ name: 'counter', factory: counter(), maxRestarts: 2, restartWindowMs: 1000 })
    await sys.ready()
    for (let i = 0; i < 3; i++) ref.tell({ type: 'boom' })
    await assert.rejects(ref.ask<number>(reply => ({ type: 'get', reply })), (e: ActorError) => e.code === 'stopped' || e.code === 'failed')
    assert.equal(sys.status()[0].state, 'failed')
    assert.ok(sink.records.some(r => r.level === 'error' && r.msg.includes('giving up')))
    await sys.stop()
  })

  it('bounds the mailbox: tell drops with a counter, put waits for room', async () => {
    const clock = new VirtualClock()
    const { env: e } = env(clock)
    const sys = new ActorSystem(e)
    const ref = sys.spawn({ name: 'counter', factory: counter(), mailboxCapacity: 4 })
    await sys.ready()
    // Block the actor on a slow message, then overfill.
    const slow = ref.ask<void>(reply => ({ type: 'slow', reply }), 60_000)
    await Promise.resolve()
    let accepted = 0
    for (let i = 0; i < 10; i++) if (ref.tell({ type: 'inc' })) accepted++
    assert.equal(accepted, 4)
    assert.equal(sys.status()[0].mailbox.dropped, 6)
    let putDone = false
    const put = ref.put({ type: 'inc' }).then(() => { putDone = true })
    await Promise.resolve()
    assert.equal(putDone, false, 'put must wait while the mailbox is full')
    await clock.advance(1000)
    await slow
    await put
    assert.equal(await ref.ask<number>(reply => ({ type: 'get', reply })), 5)
    assert.ok(sys.status()[0].mailbox.size <= 4)
    await sys.stop()
  })

  it('times out an ask on the injected clock', async () => {
    const clock = new VirtualClock()
    const { env: e } = env(clock)
    const sys = new ActorSystem(e)
    const ref = sys.spawn({ name: 'counter', factory: counter() })
    await sys.ready()
    const p = ref.ask<void>(reply => ({ type: 'slow', reply }), 500)
    const check = assert.rejects(p, (err: ActorError) => err.code === 'timeout')
    await clock.advance(600)
    await check
    await sys.stop()
  })
})
