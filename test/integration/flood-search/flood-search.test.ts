import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import type { Swarm } from '../../../node/swarm.ts'
import type { RuntimePeer } from '../../../node/peer.ts'
import type { PeerKey } from '../../../node/ports/net.ts'
import type { SearchStats } from '../../../protocols/flood-search/actor.ts'
import { dispatchCall } from '../../../node/control/dispatch.ts'
import { MODULES } from '../../../node/modules.ts'
import type { CliContext } from '../../../node/cli/command.ts'
import { searchCommands } from '../../../protocols/flood-search/cli.ts'
import { bfs, chunksOf, collect, overlayGraph, overlayReady, searchOf, searchSwarm, shareNamed, until } from './helpers.ts'


const TOTAL = 30

describe('flood search over libp2p (memory transport, 30 peers)', function () {
  this.timeout(60_000)
  let swarm: Swarm
  let peers: RuntimePeer[]
  const stats = async (): Promise<SearchStats[]> => await Promise.all(peers.map(async p => await searchOf(p).stats()))

  before(async function () {
    this.timeout(90_000)
    // maxDegree 5: most peers sit near the target (4), so a loss forces a replacement.
    swarm = await searchSwarm(TOTAL, { maxDegree: 5 })
    peers = swarm.all()
    await overlayReady(peers, 3, 60_000)
  })
  after(async () => { await swarm?.stop() })

  it('keeps fewer than 10 symmetric neighbours per peer over a connected overlay', async () => {
    const adj = await overlayGraph(peers)
    for (const [p, ns] of adj) {
      assert.ok(ns.length >= 1 && ns.length <= 5, `${p} has ${ns.length} neighbours (max degree 5)`)
    }
    assert.equal(bfs(adj, peers[0].id).size, TOTAL, 'every peer reachable over the overlay')
  })

  it('finds a file shared by one peer from another, with the right link, each peer handling the GUID once, hits on the reverse path', async () => {
    const [origin, holder] = [peers[3], peers[27]]
    const link = await shareNamed(holder, 'Field-Recordings_2024.FLAC')
    const before = await stats()
    const graphBefore = await overlayGraph(peers)
    const hits = await collect(origin, 'field recordings')
    const after = await stats()
    assert.equal(hits.length, 1, `one hit expected, got ${JSON.stringify(hits)}`)
    assert.equal(hits[0].file.link, link)
    assert.equal(hits[0].file.name, 'Field-Recordings_2024.FLAC')
    assert.equal(hits[0].peer, holder.id)
    assert.deepEqual(hits[0].addrs, holder.multiaddrs())
    // The overlay may gain or lose a link meanwhile: the query travelled one of the two.
    const dist = Math.min(...[graphBefore, await overlayGraph(peers)].map(g => bfs(g, origin.id).get(holder.id) ?? Infinity))
    assert.ok(hits[0].hops >= dist && hits[0].hops <= 7, `hops ${hits[0].hops} within [distance ${dist}, TTL 7]`)

    let dups = 0
    peers.forEach((p, i) => {
      const accepted = after[i].queriesAccepted - before[i].queriesAccepted
      if (p === origin) assert.equal(accepted, 0)
      else assert.equal(accepted, 1, `${p.id} handled the query ${accepted} times`)
      dups += after[i].duplicateQueries - before[i].duplicateQueries
    })
    assert.ok(dups > 0, 'duplicates arrived and were dropped')

    const path = new Set<PeerKey>()
    let at: PeerKey = holder.id
    for (let i = 0; i < TOTAL && at !== origin.id; i++) {
      const r = await searchOf(peers.find(p => p.id === at) as RuntimePeer).route(hits[0].guid)
      assert.ok(r !== undefined && r.prev !== 'local', `${at} holds a reverse-path entry`)
      at = r.prev as PeerKey
      if (at !== origin.id) path.add(at)
    }
    assert.equal(at, origin.id)
    assert.equal(path.size, hits[0].hops - 1)
    peers.forEach((p, i) => {
      const got = after[i].received.hit - before[i].received.hit
      if (path.has(p.id)) assert.equal(after[i].hitsRelayed - before[i].hitsRelayed, 1, `${p.id} on the path relayed the hit`)
      else if (p !== origin) assert.equal(got, 0, `${p.id} is off the path and saw a hit`)
    })
  })

  it('downloads the found file from its link through the chunk exchange', async () => {
    const [origin, holder] = [peers[5], peers[20]]
    const chunks = chunksOf(holder)
    const fetcher = chunksOf(origin)
    const data = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff)
    const shared = await chunks.shareBytes('Harbour Lights demo.wav', data)
    const hits = await collect(origin, 'harbour lights')
    const hit = hits.find(h => h.peer === holder.id)
    assert.ok(hit !== undefined, 'the sharer answers')
    assert.equal(hit.file.link, String(shared.link))
    await origin.libp2p.dial(multiaddr(hit.addrs[0]))
    const transfer = await fetcher.get(hit.file.link)
    await transfer.done
  })

  it('peerhive search prints each hit as it arrives (NDJSON with --json) through the control dispatch', async () => {
    const [origin, holder] = [peers[8], peers[24]]
    const link = await shareNamed(holder, 'Midnight Ferry timetable.pdf')
    const lines: string[] = []
    const ctx: CliContext = {
      json: true,
      out: (l) => { lines.push(l) },
      err: () => {},
      call: async <T>(method: string, params?: Record<string, unknown>) => await (dispatchCall(MODULES, origin.services, { method, params: params ?? {} }) as Promise<T>),
      stream: <T>(method: string, params?: Record<string, unknown>) => dispatchCall(MODULES, origin.services, { method, params: params ?? {} }) as AsyncIterable<T>
    }
    const cmd = searchCommands.find(c => c.path.join(' ') === 'search')
    assert.ok(cmd !== undefined)
    const code = await cmd.run(['midnight', 'FERRY'], { ttl: '7', timeout: '2' }, ctx)
    assert.equal(code, 0)
    const hits = lines.map(l => JSON.parse(l) as { link: string, peer: string, name: string })
    assert.ok(hits.some(h => h.link === link && h.peer === holder.id && h.name === 'Midnight Ferry timetable.pdf'), lines.join('\n'))
    assert.equal(await cmd.run(['x'], { ttl: '0' }, ctx), 2, 'a bad --ttl is a usage error')
  })

  it('TTL 1 reaches neighbours only', async () => {
    const origin = peers[11]
    await Promise.all(peers.filter(p => p !== origin).map(async p => await shareNamed(p, 'everyone has this')))
    const neighbours = async (): Promise<Set<PeerKey>> => new Set((await searchOf(origin).neighbours()).map(n => n.peer))
    // Peers below the target degree keep dialling, so the neighbour set can change during the
    // search: every neighbour of both snapshots must answer, and nobody outside either.
    const before = await neighbours()
    const hits = await collect(origin, 'everyone', { ttl: 1 })
    const after = await neighbours()
    const got = hits.map(h => h.peer)
    for (const n of before) if (after.has(n)) assert.ok(got.includes(n), `neighbour ${n} answered`)
    for (const p of got) assert.ok(before.has(p) || after.has(p), `${p} answered a TTL 1 query but was never a neighbour`)
    assert.equal(new Set(got).size, got.length, 'one hit per neighbour')
    for (const h of hits) assert.equal(h.hops, 1)
    const wide = await collect(origin, 'everyone', { ttl: 7 })
    assert.equal(wide.length, TOTAL - 1, 'with TTL 7 everyone answers, so TTL 1 was the limit')
  })

  it('replaces lost neighbours from known addresses', async () => {
    const adj = await overlayGraph(peers)
    // A victim with at least one neighbour at the target degree: that one must dial a replacement.
    const victim = peers.find(p => p !== peers[0] && (adj.get(p.id) ?? []).some(n => (adj.get(n)?.length ?? 0) <= 4)) as RuntimePeer
    assert.ok(victim !== undefined, 'some peer has a neighbour at the target degree')
    const orphans = peers.filter(p => (adj.get(victim.id) ?? []).includes(p.id))
    const before = await Promise.all(orphans.map(async p => await searchOf(p).stats()))
    await victim.stop()
    const survivors = peers.filter(p => p !== victim)
    await until('orphans drop the victim and are back at the target degree', async () => {
      const ns = await Promise.all(orphans.map(async p => (await searchOf(p).neighbours()).map(n => n.peer)))
      return ns.every(list => !list.includes(victim.id) && list.length >= 4)
    }, 20_000)
    const after = await Promise.all(orphans.map(async p => await searchOf(p).stats()))
    let replaced = 0
    orphans.forEach((p, i) => {
      assert.equal(after[i].neighboursLost - before[i].neighboursLost, 1, `${p.id} noticed the loss`)
      if (before[i].degree <= 4) {
        assert.ok(after[i].neighboursAdded > before[i].neighboursAdded, `${p.id} at the target degree dialled a replacement`)
        replaced++
      }
    })
    assert.ok(replaced > 0)
    assert.equal(bfs(await overlayGraph(survivors), survivors[0].id).size, survivors.length, 'overlay still connected')
    peers = survivors
  })
})
