import assert from 'node:assert/strict'
import type { Swarm } from '../../../node/swarm.ts'
import type { RuntimePeer } from '../../../node/peer.ts'
import { DEFAULT_QUERY_BURST, DEFAULT_QUERY_RATE_PER_SEC } from '../../../protocols/flood-search/constants.ts'
import { bfs, collect, overlayGraph, overlayReady, searchOf, searchSwarm, shareNamed } from './helpers.ts'

const TOTAL = 12
const FLOOD = 1_000

describe('flood search abuse limits over libp2p (memory transport, 12 peers)', function () {
  this.timeout(60_000)
  let swarm: Swarm
  let peers: RuntimePeer[]

  before(async function () {
    this.timeout(90_000)
    swarm = await searchSwarm(TOTAL)
    peers = swarm.all()
    await overlayReady(peers, 3, 60_000)
  })
  after(async () => { await swarm?.stop() })

  it('one peer firing 1,000 queries as fast as it can: its neighbours rate-limit it, the overlay stays up, another search completes', async () => {
    const [abuser, origin, holder] = [peers[2], peers[7], peers[10]]
    const link = await shareNamed(holder, 'quiet evening notes.txt')
    const abuserNeighbours = (await searchOf(abuser).neighbours()).map(n => n.peer)
    const before = await Promise.all(peers.map(async p => await searchOf(p).stats()))
    const started = Date.now()

    const drains: Array<Promise<void>> = []
    for (let i = 0; i < FLOOD; i++) {
      drains.push((async () => { for await (const h of searchOf(abuser).search(`spam ${i} junk`, { timeoutMs: 2_000 })) void h })())
      // An ask queues behind the searches already sent: keeps the abuser's own mailbox from overflowing.
      if (i % 200 === 199) await searchOf(abuser).stats()
    }
    const hits = await collect(origin, 'quiet evening', { timeoutMs: 5_000 })
    await Promise.all(drains)
    const elapsedSec = (Date.now() - started) / 1000
    const after = await Promise.all(peers.map(async p => await searchOf(p).stats()))

    assert.ok(hits.some(h => h.peer === holder.id && h.file.link === link), `the normal search still completes: ${JSON.stringify(hits.map(h => h.peer))}`)
    const ai = peers.indexOf(abuser)
    assert.equal(after[ai].searchesStarted - before[ai].searchesStarted, FLOOD, 'the abuser really sent 1,000 queries')
    const sent = after[ai].sent.query - before[ai].sent.query
    assert.ok(sent >= FLOOD * abuserNeighbours.length * 0.9, `the abuser flooded its ${abuserNeighbours.length} neighbours: ${sent} queries sent`)
    const perLink = DEFAULT_QUERY_BURST + DEFAULT_QUERY_RATE_PER_SEC * elapsedSec
    let limited = 0
    peers.forEach((p, i) => {
      if (p === abuser) return
      const accepted = after[i].queriesAccepted - before[i].queriesAccepted
      assert.ok(accepted <= abuserNeighbours.length * perLink + 2, `${p.id} accepted ${accepted} queries: the flood was not contained (bound ${abuserNeighbours.length * perLink + 2})`)
      if (abuserNeighbours.includes(p.id)) limited += after[i].rateLimited - before[i].rateLimited
    })
    // What the abuser sent beyond what its links let through was dropped (bounded by what it
    // sent, not by FLOOD x neighbours: a send to a neighbour lost meanwhile never arrives).
    assert.ok(limited >= sent - abuserNeighbours.length * perLink, `the abuser's neighbours rate-limited it (${limited} of ${sent} dropped)`)

    const adj = await overlayGraph(peers)
    for (const [p, ns] of adj) assert.ok(ns.length >= 1, `${p} kept its neighbours`)
    assert.equal(bfs(adj, origin.id).size, TOTAL, 'the overlay stays connected')
    const again = await collect(origin, 'quiet evening')
    assert.ok(again.some(h => h.peer === holder.id), 'and keeps answering afterwards')
  })
})
