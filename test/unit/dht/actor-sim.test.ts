import assert from 'node:assert/strict'
import { SimRing } from './harness.ts'
import { converged, safety, sortedMembers, trueSuccessor } from '../../../protocols/dht/invariants.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import { SeededRandom } from '../../../node/ports/random.ts'
import { DHT_PROTOCOL_ID } from '../../../protocols/dht/constants.ts'

const SEED = Number(process.env.SEED ?? 7)

async function convergedWithin (ring: SimRing, ms: number, r: number): Promise<string[]> {
  let problems: string[] = ['not checked']
  for (let t = 0; t < ms; t += 100) {
    await ring.clock.advance(100)
    problems = converged(ring.space, await ring.states(), r)
    if (problems.length === 0) return []
  }
  return problems
}

describe('dht actors on the simulated network', function () {
  this.timeout(60_000)

  it('converges from sequential joins, with the ring invariants holding after every step', async () => {
    const ring = new SimRing(SEED, { idBits: 32, successors: 4 })
    const names = Array.from({ length: 10 }, (_, i) => `p${i}`)
    await ring.start('p0')
    const principals = new Set<PeerKey>(['p0' as PeerKey])
    for (const n of names.slice(1)) {
      await ring.start(n)
      await ring.join(n, 'p0')
      // Step timer by timer until the ring has absorbed the joiner; safety must hold throughout.
      let steps = 0
      for (; steps < 2_000; steps++) {
        await ring.clock.step()
        const states = await ring.states()
        assert.deepEqual(safety(ring.space, states, 4, principals), [], `after ${n} joined, step ${steps} (reproduce with SEED=${SEED})`)
        if (converged(ring.space, states, 4).length === 0) break
      }
      assert.ok(steps < 2_000, `${n} not absorbed (SEED=${SEED})`)
      principals.add(n as PeerKey)
    }
    assert.deepEqual(await convergedWithin(ring, 10_000, 4), [], `reproduce with SEED=${SEED}`)
  })

  it('finds the true successor of random keys from every member, and get returns what put stored', async () => {
    const ring = new SimRing(SEED, { idBits: 64, successors: 4, replicas: 2 })
    for (let i = 0; i < 16; i++) await ring.start(`q${i}`)
    for (let i = 1; i < 16; i++) await ring.join(`q${i}`, 'q0')
    assert.deepEqual(await convergedWithin(ring, 20_000, 4), [])
    await ring.clock.advance(5_000) // fingers fill
    const members = sortedMembers([...(await ring.states()).values()].map(s => s.self))
    const rnd = new SeededRandom(SEED)
    const all = [...ring.members.values()]
    let hops = 0
    for (let k = 0; k < 200; k++) {
      const key = `key-${rnd.int(1e9)}`
      const from = all[rnd.int(all.length)]
      const res = await ring.drive(from.api.findSuccessor(key))
      assert.equal(res.peer, trueSuccessor(ring.space, members, from.api.idOf(key)).peer, `key ${key} from ${from.name} (SEED=${SEED})`)
      hops += res.hops
    }
    assert.ok(hops / 200 <= 0.5 * Math.log2(16) + 1, `mean hops ${hops / 200}`)
    for (let k = 0; k < 50; k++) {
      const put = await ring.drive(all[k % all.length].api.put(`k${k}`, `v${k}`))
      assert.equal(put.replicas, 2)
    }
    for (let k = 0; k < 50; k++) {
      const got = await ring.drive(all[(k * 7) % all.length].api.get(`k${k}`))
      assert.equal(new TextDecoder().decode(got.value), `v${k}`)
    }
    const missing = await ring.drive(all[0].api.get('never-put'))
    assert.equal(missing.found, false)
  })
})

describe('dht churn, leave, restart and providers on the simulated network', function () {
  this.timeout(60_000)

  async function formed (n: number, cfg: Parameters<typeof makeRing>[0]): Promise<SimRing> {
    const ring = makeRing(cfg)
    for (let i = 0; i < n; i++) await ring.start(`c${i}`)
    for (let i = 1; i < n; i++) await ring.join(`c${i}`, 'c0')
    assert.deepEqual(await convergedWithin(ring, 20_000, ring.cfg.successors), [])
    return ring
  }
  function makeRing (cfg: Record<string, number>): SimRing {
    return new SimRing(SEED, { idBits: 48, ...cfg })
  }

  it('survives a quarter of the ring crashing at once: successors repaired, every key still readable', async () => {
    const ring = await formed(16, { successors: 4, replicas: 3 })
    const all = [...ring.members.values()]
    for (let k = 0; k < 100; k++) await ring.drive(all[k % all.length].api.put(`key${k}`, `val${k}`))
    const rnd = new SeededRandom(`${SEED}:victims`)
    const victims = rnd.shuffle(all.map(m => m.name)).slice(0, 4)
    for (const v of victims) await ring.kill(v)
    // Every step from the crash on: still one ordered ring among the survivors.
    const principals = new Set([...ring.members.values()].map(m => m.host.self))
    let steps = 0
    for (; steps < 3_000; steps++) {
      await ring.clock.step()
      const states = await ring.states()
      assert.deepEqual(safety(ring.space, states, 4, principals), [], `step ${steps} after the crash (SEED=${SEED})`)
      if (converged(ring.space, states, 4).length === 0) break
    }
    assert.ok(steps < 3_000, `survivors did not converge (SEED=${SEED})`)
    const live = [...ring.members.values()]
    for (let k = 0; k < 100; k++) {
      const got = await ring.drive(live[k % live.length].api.get(`key${k}`))
      assert.equal(got.found, true, `key${k} lost after killing ${victims.join(',')} (SEED=${SEED})`)
      assert.equal(new TextDecoder().decode(got.value), `val${k}`)
    }
    // Repair restores the replica count on the new owners.
    await ring.clock.advance(2_000)
    const put = await ring.drive(live[0].api.put('after', 'x'))
    assert.equal(put.replicas, 3)
  })

  it('joins leave stale copies behind; repair drops them once the owner holds the key, never losing one', async () => {
    const ring = await formed(6, { successors: 3, replicas: 2 })
    const keys = Array.from({ length: 80 }, (_, k) => `gc${k}`)
    const first = [...ring.members.values()]
    for (const [k, key] of keys.entries()) await ring.drive(first[k % first.length].api.put(key, `v${k}`))
    // Joiners land between owners and their replica holders: the third holder of a key
    // is then no longer among the owner and its first two successors.
    for (let i = 6; i < 16; i++) { await ring.start(`c${i}`); await ring.join(`c${i}`, `c${i % 6}`) }
    assert.deepEqual(await convergedWithin(ring, 20_000, 3), [], `converged after the joins (SEED=${SEED})`)
    const holdersOf = (key: string): string[] => [...ring.members.values()].filter(m => [...m.store.keys()].some(k => k.endsWith(`!kv!${key}`))).map(m => m.host.self).sort()
    const ideal = async (key: string): Promise<string[]> => {
      const order = sortedMembers([...(await ring.states()).values()].map(s => s.self))
      const i = order.findIndex(n => n.peer === trueSuccessor(ring.space, order, ring.any().api.idOf(key)).peer)
      return [0, 1, 2].map(d => order[(i + d) % order.length].peer as string).sort()
    }
    // Every key is on at least its ideal holders at each repair pass, and the extras drain away.
    let extra = -1
    for (let pass = 0; pass < 20 && extra !== 0; pass++) {
      await ring.clock.advance(ring.cfg.repairMs)
      extra = 0
      for (const key of keys) {
        const held = holdersOf(key)
        const want = await ideal(key)
        assert.ok(want.every(p => held.includes(p)), `${key} on ${held.join(',')}, want at least ${want.join(',')} (pass ${pass}, SEED=${SEED})`)
        extra += held.length - want.length
      }
    }
    assert.equal(extra, 0, `stale copies left after 20 repair passes (SEED=${SEED})`)
    const live = [...ring.members.values()]
    for (const [k, key] of keys.entries()) {
      const got = await ring.drive(live[k % live.length].api.get(key))
      assert.equal(new TextDecoder().decode(got.value), `v${k}`, `${key} (SEED=${SEED})`)
    }
  })

  it('the churn example: a member whose successor dies adopts the next entry and refills from it', async () => {
    const ring = await formed(6, { successors: 3, replicas: 1 })
    const states = await ring.states()
    const order = sortedMembers([...states.values()].map(s => s.self))
    const [a, b, c] = order
    await ring.kill(b.peer)
    // a's successor list was [b, c, d]; after b dies, a adopts c and asks c for its list.
    await ring.clock.advance(ring.cfg.stabilizeMs + 2 * ring.cfg.rpcTimeoutMs)
    const view = (await ring.members.get(a.peer)?.api.ring())?.ring
    assert.equal(view?.succs[0].peer, c.peer)
    assert.deepEqual(view?.succs.map(n => n.peer), order.filter(n => n.peer !== b.peer).slice(1).concat(order.slice(0, 1)).filter(n => n.peer !== a.peer).slice(0, 3).map(n => n.peer))
  })

  it('a graceful leave hands keys over before going', async () => {
    const ring = await formed(6, { successors: 3, replicas: 0 })
    const all = [...ring.members.values()]
    for (let k = 0; k < 30; k++) await ring.drive(all[k % all.length].api.put(`g${k}`, `v${k}`))
    const leaver = all[2]
    await ring.drive(leaver.sys.stop())
    leaver.host.crash()
    ring.members.delete(leaver.name)
    assert.deepEqual(await convergedWithin(ring, 10_000, 3), [])
    const live = [...ring.members.values()]
    for (let k = 0; k < 30; k++) {
      const got = await ring.drive(live[k % live.length].api.get(`g${k}`))
      assert.equal(got.found, true, `g${k} lost in a graceful leave with no replicas`)
    }
  })

  it('a restarted member keeps its pairs and rejoins on its own', async () => {
    const ring = await formed(8, { successors: 3, replicas: 1 })
    const all = [...ring.members.values()]
    for (let k = 0; k < 40; k++) await ring.drive(all[k % all.length].api.put(`r${k}`, `v${k}`))
    const victim = all[3]
    const held = (await victim.api.ring()).records
    assert.ok(held > 0)
    await ring.kill(victim.name)
    await ring.clock.advance(1_000)
    const back = await ring.start(victim.name, victim.store)
    assert.equal((await back.api.ring()).records, held)
    assert.deepEqual(await convergedWithin(ring, 10_000, 3), [], 'the restarted member rejoins from its stored successors')
    for (let k = 0; k < 40; k++) assert.equal((await ring.drive(back.api.get(`r${k}`))).found, true)
  })

  it('concurrent joins through one bootstrap converge', async () => {
    const ring = makeRing({ successors: 4, replicas: 1 })
    for (let i = 0; i < 12; i++) await ring.start(`j${i}`)
    await Promise.all(Array.from({ length: 11 }, async (_, i) => { await ring.join(`j${i + 1}`, 'j0') }))
    assert.deepEqual(await convergedWithin(ring, 30_000, 4), [])
  })

  it('provider records: provide, find from anywhere, expire without republish', async () => {
    const ring = await formed(8, { successors: 3, replicas: 2, providerTtlMs: 5_000, republishMs: 2_000 })
    const all = [...ring.members.values()]
    await ring.drive(all[1].api.provide('bafylink'))
    await ring.drive(all[4].api.provide('bafylink'))
    const found = await ring.drive(all[6].api.findProviders('bafylink'))
    assert.deepEqual(found.map(p => p.peer).sort(), [all[1].host.self, all[4].host.self].sort())
    assert.ok(found.every(p => p.addrs.length > 0), 'records carry addresses')
    // Republish keeps the records alive past their TTL while the providers run...
    await ring.clock.advance(12_000)
    assert.equal((await ring.drive(all[7].api.findProviders('bafylink'))).length, 2)
    // ...and a crashed provider's record expires.
    await ring.kill(all[4].name)
    await ring.clock.advance(12_000)
    assert.deepEqual((await ring.drive(all[7].api.findProviders('bafylink'))).map(p => p.peer), [all[1].host.self])
  })

  it('rejects oversized values and keys with typed errors and keeps serving', async () => {
    const ring = await formed(4, { successors: 2, replicas: 1, maxValueBytes: 100 })
    const m = ring.any()
    await assert.rejects(ring.drive(m.api.put('k', new Uint8Array(101))), (e: Error & { code?: string }) => e.code === 'value-too-large')
    await assert.rejects(ring.drive(m.api.put('x'.repeat(600), 'v')), (e: Error & { code?: string }) => e.code === 'key-too-large')
    assert.equal((await ring.drive(m.api.put('k', 'ok'))).owner.length > 0, true)
  })

  it('strikes a peer sending malformed frames and keeps serving the others', async () => {
    const ring = await formed(4, { successors: 2, replicas: 1 })
    const [a, b] = [...ring.members.values()]
    const rogue = ring.net.addHost('rogue')
    assert.ok(ring.net.connect(rogue.self, a.host.self))
    for (let i = 0; i < 5; i++) ring.net.transmit(rogue.self, a.host.self, DHT_PROTOCOL_ID, new Uint8Array([1, 1, 6, 40, ...new Uint8Array(40)]))
    await ring.clock.advance(100)
    assert.ok(a.host.banned.has(rogue.self), 'the sender of oversized ring keys is struck until banned')
    const res = await ring.drive(b.api.put('still', 'serving'))
    assert.equal((await ring.drive(a.api.get('still'))).found, true, `owner ${res.owner}`)
  })
})
