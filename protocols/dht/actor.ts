import type { Actor, ActorComponents, Reply } from '../../node/kernel/actor.ts'
import type { PeerKey, Responder } from '../../node/ports/net.ts'
import { getJson, putJson } from '../../node/ports/store.ts'
import { AddressBook } from './address-book.ts'
import { internPeer } from './address-intern.ts'
import { shareableAddrs, type AddrScope } from './addrs.ts'
import type { DhtInbox, FindResult, RingView, Tick } from './api-types.ts'
import * as C from './constants.ts'
import { DhtError } from './errors.ts'
import { KeyValues } from './key-values.ts'
import type { RingMember } from './member.ts'
import { dropFinger, emptyFingers, fingerFound, fingersFromHints, fingerStart, firstAtOrAfter, nextFingerToFix, restartRound, type FingerTable } from './fingers.ts'
import { distance, idFromBytes, idToBytes, inOpen, peerRingId, ringSpace, type RingId, type RingSpace } from './ids.ts'
import { iterativeLookup, type LookupResult } from './lookup.ts'
import type { DhtMsg, WireNode } from './messages.ts'
import type { NodeRef } from './node-ref.ts'
import { Providers } from './providers.ts'
import { RecordStore } from './record-store.ts'
import { handoverKeys, ownedKeys, wanted } from './repair.ts'
import {
  adoptCloser, dropPeer, isAlone, joined, lone, mergeSuccessors, rectified, rectifyNudge, stabilized, stabilizeTarget, successor, type RingState
} from './ring.ts'
import { routeStep, type StepAnswer } from './router.ts'
import { DhtRpc, meansDead } from './rpc.ts'

export interface DhtInit {
  idBits: number
  successors: number
  replicas: number
  stabilizeMs: number
  fixFingersMs: number
  checkPredecessorMs: number
  pingSuccessorsMs: number
  repairMs: number
  republishMs: number
  providerTtlMs: number
  rpcTimeoutMs: number
  lookupTimeoutMs: number
  lookupMaxHops: number
  maxValueBytes: number
  addrScope: AddrScope
}

/**
 * One Chord member. The mailbox serializes every state change; anything that waits on
 * the network runs as a task outside `receive` (so two members asking each other never
 * deadlock) and reports back through `self.tell`. Tasks only read state.
 */
export class DhtActor implements Actor<DhtInbox> {
  private readonly c: ActorComponents<DhtInbox, DhtMsg>
  private readonly cfg: DhtInit
  private readonly space: RingSpace
  private readonly r: number
  private readonly book = new AddressBook(C.MAX_ADDRESS_BOOK)
  private readonly rpc: DhtRpc
  private readonly records: RecordStore
  private readonly kv: KeyValues
  private readonly prov: Providers
  private readonly suspects = new Map<PeerKey, number>()
  private readonly busy = new Set<string>()
  private ring: RingState
  private fingers: FingerTable = emptyFingers
  private hints: WireNode[] = []
  private persistedSuccs = ''
  private persistedList: readonly NodeRef[] = []
  private stopped = false
  /** Explicit joins in flight: a connect they cause must not start a second, automatic join. */
  private joining = 0
  /** A nudge came while stabilize was running: run it once more when it ends. */
  private stabilizeAgain = false

  constructor (components: ActorComponents<DhtInbox, DhtMsg>, init: DhtInit) {
    this.c = components
    this.cfg = init
    this.space = ringSpace(init.idBits)
    this.r = init.successors
    this.rpc = new DhtRpc(components.net, init.rpcTimeoutMs, this.book)
    this.records = new RecordStore(components.store.sublevel('kv'), this.space)
    const member: RingMember = {
      space: this.space,
      replicas: init.replicas,
      rpc: this.rpc,
      ring: () => this.ring,
      stopped: () => this.stopped,
      lookup: (key) => this.lookup(key),
      isDead: this.isDead,
      markDead: this.markDead,
      learn: (w) => this.learn(w),
      wire: (n) => this.wire(n)
    }
    this.kv = new KeyValues({
      ...member,
      rpcTimeoutMs: init.rpcTimeoutMs,
      maxValueBytes: init.maxValueBytes,
      records: this.records,
      localPut: (key, value) => this.c.self.ask<number>(reply => ({ type: 'local-put', key, value, reply }), this.cfg.rpcTimeoutMs * 3),
      dropStaleLater: (items) => { this.c.self.tell({ type: 'drop-stale', items }) }
    })
    this.prov = new Providers({
      ...member,
      providerTtlMs: init.providerTtlMs,
      addrScope: init.addrScope,
      records: components.store.sublevel('prov'),
      mine: components.store.sublevel('mine'),
      now: () => this.c.clock.now(),
      localAdd: (key, provider, ttlMs) => this.c.self.ask<void>(reply => ({ type: 'local-provider', key, provider, ttlMs, reply }))
    })
    this.ring = lone(this.nodeOf(components.net.self))
  }

  async start (): Promise<void> {
    await this.records.load()
    await this.prov.load()
    this.hints = (await getJson<WireNode[]>(this.c.store, 'ring')) ?? []
    for (const h of this.hints) this.book.learn(h.peer, h.addrs)
    const every = (ms: number, tick: Tick): void => { this.c.clock.setPeriodic(ms, () => { this.c.self.tell({ type: 'tick', tick }) }) }
    every(this.cfg.stabilizeMs, 'stabilize')
    every(this.cfg.fixFingersMs, 'fingers')
    every(this.cfg.checkPredecessorMs, 'check-pred')
    every(this.cfg.pingSuccessorsMs, 'ping-succs')
    every(this.cfg.repairMs, 'repair')
    every(this.cfg.republishMs, 'republish')
  }

  /** Graceful leave: hand owned keys to the successor, tell both neighbours. Bounded by the RPC deadline. */
  async stop (): Promise<void> {
    this.stopped = true
    const succ = this.ring.succs[0]
    if (succ === undefined) return
    const owned = ownedKeys(this.space, this.records.index, this.ring.self, this.ring.pred, false)
    await Promise.allSettled([
      owned.length > 0 ? this.kv.pushKeys(succ.peer, owned) : Promise.resolve(),
      this.rpc.send(succ.peer, { type: 'leave', ...(this.ring.pred !== undefined ? { pred: this.wire(this.ring.pred) } : {}), succs: [] }),
      this.ring.pred !== undefined ? this.rpc.send(this.ring.pred.peer, { type: 'leave', succs: this.ring.succs.map(n => this.wire(n)) }) : Promise.resolve()
    ])
  }

  status (): unknown {
    return { successor: successor(this.ring).peer, predecessor: this.ring.pred?.peer ?? null, successors: this.ring.succs.length, fingers: this.fingers.entries.length, records: this.records.index.size, providerKeys: this.prov.counts().keys }
  }

  async receive (m: DhtInbox): Promise<void> {
    switch (m.type) {
      case 'net:request': await this.onRequest(m.from, m.msg, m.respond); break
      case 'net:message': this.onMessage(m.from, m.msg); break
      case 'net:connect': if (isAlone(this.ring) && this.ring.pred === undefined && this.joining === 0) this.task('join', async () => { await this.tryJoin([]) }); break
      case 'net:disconnect': break
      case 'tick': this.onTick(m.tick); break
      case 'put': this.answer(m.reply, async () => await this.kv.putTask(m.key, m.value)); break
      case 'get': this.answer(m.reply, async () => await this.kv.getTask(m.key)); break
      case 'find': this.answer(m.reply, async () => await this.findTask(m.key)); break
      case 'view': m.reply.ok(this.view()); break
      case 'join':
        this.joining++
        this.answer(m.reply, async () => { try { await this.tryJoin(m.via, true) } finally { this.joining-- } })
        break
      case 'provide': await this.provide(m.key, m.reply); break
      case 'find-providers': this.answer(m.reply, async () => await this.prov.findTask(m.key, m.limit)); break
      case 'joined': this.onJoined(m.succ, m.succs, m.rejoin); break
      case 'stabilized': this.onStabilized(m); break
      case 'dead': this.markDeadNow(m.peer); break
      case 'alive': this.alive(m.peer); break
      case 'finger': this.fingers = fingerFound(this.space, this.ring.self.id, this.fingers, m.index, m.node); break
      case 'finger-hints': if (this.fingers.entries.length === 0) this.fingers = fingersFromHints(this.space, this.ring.self, m.nodes); break
      case 'local-put': await this.kv.ownerPut(m.key, m.value, m.reply); break
      case 'local-provider': await this.prov.addRecord(m.key, m.provider, m.ttlMs, true); m.reply.ok(); break
      case 'drop-stale': await this.kv.dropStale(m.items); break
    }
    await this.persistRing()
  }

  // ---- identities, addresses, liveness ----

  private idOf (peer: PeerKey): RingId {
    return peerRingId(this.space, peer)
  }

  private nodeOf (peer: PeerKey): NodeRef {
    return { id: this.idOf(peer), peer }
  }

  /**
   * A node named on the wire: learn its addresses, derive its id ourselves. The key is
   * interned: rings, fingers and suspects then hold one shared string per peer, whose hash
   * every map lookup reuses, instead of each decode's fresh copy.
   */
  private learn (w: WireNode): NodeRef {
    const peer = internPeer(w.peer)
    this.book.learn(peer, shareableAddrs(w.addrs, this.cfg.addrScope))
    return this.nodeOf(peer)
  }

  private wire (n: NodeRef): WireNode {
    const addrs = n.peer === this.ring.self.peer ? this.c.net.addresses() : this.book.get(n.peer)
    return { peer: n.peer, addrs: shareableAddrs(addrs, this.cfg.addrScope) }
  }

  private isDead = (p: PeerKey): boolean => {
    const until = this.suspects.get(p)
    return until !== undefined && until > this.c.clock.now()
  }

  /** From a task: report a dead peer (state changes happen in receive). */
  private markDead = (p: PeerKey): void => {
    if (!this.stopped) this.c.self.tell({ type: 'dead', peer: p })
  }

  private markDeadNow (peer: PeerKey): void {
    if (peer === this.ring.self.peer) return
    this.suspects.delete(peer)
    this.suspects.set(peer, this.c.clock.now() + C.SUSPECT_TTL_MS)
    if (this.suspects.size > C.MAX_SUSPECTS) this.suspects.delete(this.suspects.keys().next().value as PeerKey)
    this.ring = dropPeer(this.ring, peer)
    this.fingers = dropFinger(this.fingers, peer)
  }

  private alive (peer: PeerKey): void {
    this.suspects.delete(peer)
  }

  /** Runs after every message: cheap unless the successor list changed. */
  private async persistRing (): Promise<void> {
    const list = this.ring.succs
    if (list.length === 0) return
    if (list === this.persistedList) return
    this.persistedList = list
    const key = list.map(n => n.peer).join()
    if (key === this.persistedSuccs) return
    this.persistedSuccs = key
    const succs = list.map(n => this.wire(n))
    this.hints = succs
    await putJson(this.c.store, 'ring', succs)
  }

  // ---- tasks ----

  /** Run an exclusive background task (at most one of each name at a time). */
  private task (name: string, fn: () => Promise<void>): void {
    if (this.busy.has(name) || this.stopped) return
    this.busy.add(name)
    void fn()
      .catch(err => { this.c.logger.debug(`${name} failed`, { error: err }) })
      .finally(() => { this.busy.delete(name) })
  }

  /** Answer an ask from a background task. */
  private answer<T> (reply: Reply<T>, fn: () => Promise<T>): void {
    void fn().then(v => { reply.ok(v) }, (err: unknown) => { reply.fail(err instanceof Error ? err : new Error(String(err))) })
  }

  private onTick (tick: Tick): void {
    switch (tick) {
      case 'stabilize': {
        if (isAlone(this.ring) && this.ring.pred === undefined) { if (this.joining === 0) this.task('join', async () => { await this.tryJoin([]) }); return }
        this.stabilizeNow()
        return
      }
      case 'fingers': this.task('fingers', async () => { await this.fixFingerTask() }); return
      case 'check-pred': {
        const pred = this.ring.pred
        if (pred !== undefined) this.task('check-pred', async () => { await this.pingOrDead(pred.peer) })
        return
      }
      case 'ping-succs': {
        const succs = this.ring.succs
        this.task('ping-succs', async () => { await Promise.all(succs.map(async n => { await this.pingOrDead(n.peer) })) })
        return
      }
      case 'repair': {
        this.prov.prune()
        this.task('repair', async () => { await this.kv.repairTask() })
        return
      }
      case 'republish': this.task('republish', async () => { await this.prov.republish() }); return
    }
  }

  /**
   * Stabilize now (a tick, a join, or a nudge from our successor). One run at a time; a
   * request while one runs makes it run once more, so a nudge is never lost, and a burst
   * of nudges costs one extra run.
   */
  private stabilizeNow (): void {
    this.ring = stabilizeTarget(this.ring).state
    if (isAlone(this.ring)) return
    if (this.busy.has('stabilize')) { this.stabilizeAgain = true; return }
    this.task('stabilize', async () => {
      for (let run = 0; run < C.MAX_STABILIZE_RERUNS; run++) {
        this.stabilizeAgain = false
        await this.stabilizeTask()
        if (!this.stabilizeAgain || this.stopped) return
      }
    })
  }

  private async pingOrDead (peer: PeerKey): Promise<void> {
    try {
      await this.rpc.call(peer, { type: 'ping' }, 'pong')
      if (this.isDead(peer) && !this.stopped) this.c.self.tell({ type: 'alive', peer })
    } catch (err) {
      if (meansDead(err)) this.markDead(peer)
    }
  }

  private localStep (key: RingId): StepAnswer {
    return routeStep(this.space, this.ring, this.fingers, key, this.isDead, C.STEP_FANOUT)
  }

  private async remoteStep (to: NodeRef, key: RingId): Promise<StepAnswer> {
    const res = await this.rpc.call(to.peer, { type: 'find', key: idToBytes(this.space, key) }, 'step')
    return { done: res.done, nodes: res.nodes.map(w => this.learn(w)) }
  }

  /**
   * findSuccessor: the lookup's owner, confirmed live by a ping. Its predecessor named it
   * from its successor list, and right after a crash that list still holds the dead
   * owner; the next entry is then the key's successor. One more round trip per lookup
   * buys answers that are never a peer that is gone (put and get confirm by their own call).
   */
  private async findTask (key: RingId): Promise<FindResult> {
    const res = await this.lookup(key)
    let lastErr: unknown
    for (const node of res.nodes.filter(n => !this.isDead(n.peer)).slice(0, C.PUT_ATTEMPTS)) {
      if (node.peer !== this.ring.self.peer) {
        try {
          await this.rpc.call(node.peer, { type: 'ping' }, 'pong')
        } catch (err) {
          lastErr = err
          if (meansDead(err)) { this.markDead(node.peer); continue }
        }
      }
      return { peer: node.peer, id: node.id, hops: res.hops }
    }
    throw new DhtError('lookup-failed', `lookup of ${key.toString(16)}: no live owner among ${res.nodes.length} candidates`, { hops: res.hops }, { cause: lastErr })
  }

  private async lookup (key: RingId, via?: NodeRef[]): Promise<LookupResult> {
    const deps = {
      space: this.space,
      now: () => this.c.clock.now(),
      isDead: this.isDead,
      markDead: this.markDead,
      step: async (to: NodeRef) => await this.remoteStep(to, key),
      successorsOf: async (to: NodeRef) => (await this.rpc.call(to.peer, { type: 'get-state' }, 'state')).succs.map(w => this.learn(w)),
      localStep: (dead: (p: PeerKey) => boolean) => routeStep(this.space, this.ring, this.fingers, key, dead, C.STEP_FANOUT),
      deadlineMs: this.cfg.lookupTimeoutMs,
      maxHops: this.cfg.lookupMaxHops
    }
    return await iterativeLookup(deps, key, via !== undefined ? { via } : { local: this.localStep(key) })
  }

  /**
   * Join through any member: look our own id up from it; our successor's list becomes
   * ours (Zave's join). Candidates: given addresses, the successors we had before a
   * restart, then connected peers. Peers that are in a ring come first: a candidate that
   * is itself alone is joined only when no candidate is in a ring, and only when its id is
   * below ours, so lone peers that find each other never join in a cycle, and a peer never
   * starts a second ring beside an existing one it can reach.
   */
  private async tryJoin (via: string[], explicit = false): Promise<void> {
    const cands: PeerKey[] = []
    const errors: string[] = []
    for (const target of via) {
      try { cands.push(await this.c.net.connect(target)) } catch (err) { errors.push((err as Error).message) }
    }
    for (const h of this.hints) cands.push(h.peer)
    if (!explicit) for (const p of this.c.net.connected().slice(0, C.JOIN_CANDIDATES * 2)) cands.push(p)
    const self = this.ring.self
    if (explicit && !isAlone(this.ring)) { await this.rejoinIfElsewhere(cands); return }
    const tried = new Set<PeerKey>()
    const lonely: NodeRef[] = []
    for (const p of cands) {
      if (p === self.peer || tried.has(p) || tried.size >= C.JOIN_CANDIDATES || !isAlone(this.ring)) continue
      tried.add(p)
      try {
        const cand = this.nodeOf(p)
        const res = await this.lookup(self.id, [cand])
        const candAlone = res.nodes.length === 1 && res.nodes[0].peer === p
        if (candAlone && !explicit) { if (cand.id < self.id) lonely.push(cand); continue }
        const succ = res.nodes.find(n => n.peer !== self.peer)
        if (succ === undefined) continue
        await this.joinAt(succ)
        return
      } catch (err) {
        errors.push(`${p}: ${(err as Error).message}`)
        if (meansDead(err)) this.markDead(p)
      }
    }
    for (const cand of lonely) {
      if (!isAlone(this.ring)) return
      try {
        await this.joinAt(cand)
        return
      } catch (err) {
        if (meansDead(err)) this.markDead(cand.peer)
      }
    }
    if (explicit && isAlone(this.ring)) throw new DhtError('not-joined', `could not join through ${via.join(', ') || 'any known peer'}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`, { tried: [...tried] })
  }

  /**
   * Asked to join through a member while already in a ring: check that it is the same
   * ring. Peers that found each other before the bootstrap answered may have formed a ring
   * of their own, and two rings never merge by stabilization alone. Looking our own id up
   * through the member must name us (or our successor, if its ring has not absorbed us
   * yet); anything else means that ring does not contain us: join it afresh. Our old
   * ring's members still point at us and stabilize into the new one through us.
   */
  private async rejoinIfElsewhere (cands: readonly PeerKey[]): Promise<void> {
    const self = this.ring.self
    const errors: string[] = []
    for (const p of cands.filter(c => c !== self.peer).slice(0, C.JOIN_CANDIDATES)) {
      try {
        const res = await this.lookup(self.id, [this.nodeOf(p)])
        const owner = res.nodes[0]
        if (owner === undefined || owner.peer === self.peer || owner.peer === this.ring.succs[0]?.peer) return
        const succ = res.nodes.find(n => n.peer !== self.peer)
        if (succ !== undefined) { await this.joinAt(succ, true); return }
      } catch (err) {
        errors.push((err as Error).message)
        if (meansDead(err)) this.markDead(p)
      }
    }
    if (errors.length > 0) throw new DhtError('not-joined', `could not check the ring through ${cands.join(', ')}: ${errors.join('; ')}`, { tried: [...cands] })
  }

  /** Take `succ` as successor: copy its list, tell it we precede it, start from its fingers. */
  private async joinAt (succ: NodeRef, rejoin = false): Promise<void> {
    const st = await this.rpc.call(succ.peer, { type: 'get-state' }, 'state')
    if (this.stopped) return
    this.c.self.tell({ type: 'joined', succ: this.wire(succ), succs: st.succs, rejoin })
    await this.rpc.call(succ.peer, { type: 'rectify', node: this.wire(this.ring.self) }, 'ack').catch(() => {})
    try {
      const f = await this.rpc.call(succ.peer, { type: 'get-fingers' }, 'fingers')
      if (!this.stopped) this.c.self.tell({ type: 'finger-hints', nodes: [succ, ...f.nodes.map(w => this.learn(w))] })
    } catch (err) {
      if (meansDead(err)) this.markDead(succ.peer)
    }
  }

  private onJoined (succ: WireNode, succs: WireNode[], rejoin: boolean): void {
    if (!isAlone(this.ring) && !rejoin) return
    const s = this.learn(succ)
    this.ring = { ...joined(this.space, this.ring.self, s, succs.map(w => this.learn(w)).filter(n => !this.isDead(n.peer)), this.r), ...(this.ring.pred !== undefined ? { pred: this.ring.pred } : {}) }
    // Stabilize at once rather than at the next tick: peers that joined the same gap
    // concurrently find each other now.
    this.stabilizeNow()
  }

  /**
   * Stabilize with the first successor; if it is dead, adopt the next live entry and
   * stabilize with that one (4 loses 5, adopts 8, asks 8 for its successors).
   */
  private async stabilizeTask (): Promise<void> {
    for (const target of this.ring.succs) {
      if (this.isDead(target.peer)) continue
      let st: Extract<DhtMsg, { type: 'state' }>
      try {
        st = await this.rpc.call(target.peer, { type: 'get-state' }, 'state')
      } catch (err) {
        if (meansDead(err)) { this.markDead(target.peer); continue }
        return
      }
      const pred = st.pred !== undefined ? this.learn(st.pred) : undefined
      const { probe } = stabilized(this.space, this.ring, target, pred, st.succs.map(w => this.learn(w)), this.r)
      let closer: { node: WireNode, succs: WireNode[] } | undefined
      // Walk back along predecessors while they lie between us and the candidate: peers
      // that joined our gap at once are found in one stabilize, not one per round.
      // A suspect is probed anyway: the successor just named it, so it may be back (a restart).
      let next = probe
      for (let step = 0; next !== undefined && step < C.MAX_STABILIZE_WALK; step++) {
        const cand: NodeRef = next
        next = undefined
        try {
          const ps = await this.rpc.call(cand.peer, { type: 'get-state' }, 'state')
          closer = { node: this.wire(cand), succs: ps.succs }
          const pp = ps.pred !== undefined ? this.learn(ps.pred) : undefined
          if (pp !== undefined && pp.peer !== this.ring.self.peer && inOpen(this.space, pp.id, this.ring.self.id, cand.id)) next = pp
        } catch (err) {
          if (meansDead(err)) this.markDead(cand.peer)
        }
      }
      if (this.stopped) return
      this.c.self.tell({ type: 'stabilized', succ: this.wire(target), ...(st.pred !== undefined ? { pred: st.pred } : {}), succs: st.succs, ...(closer !== undefined ? { closer } : {}) })
      const to = closer !== undefined ? closer.node.peer : target.peer
      try {
        await this.rpc.call(to, { type: 'rectify', node: this.wire(this.ring.self) }, 'ack')
      } catch (err) {
        if (meansDead(err)) this.markDead(to)
      }
      return
    }
  }

  private onStabilized (m: Extract<DhtInbox, { type: 'stabilized' }>): void {
    // The successor's list is fresher than our suspicions (a suspect may have restarted):
    // keep its entries; routing still skips suspects and pings weed out the really dead.
    const live = (ws: WireNode[]): NodeRef[] => ws.map(w => this.learn(w))
    const succ = this.learn(m.succ)
    this.alive(succ.peer)
    let s = stabilized(this.space, this.ring, succ, m.pred !== undefined ? this.learn(m.pred) : undefined, live(m.succs), this.r).state
    if (m.closer !== undefined) {
      const closer = this.learn(m.closer.node)
      this.alive(closer.peer)
      s = adoptCloser(this.space, s, closer, live(m.closer.succs), this.r)
    }
    this.ring = s
  }

  private async fixFingerTask (): Promise<void> {
    if (isAlone(this.ring)) return
    const self = this.ring.self.id
    let i = nextFingerToFix(this.space, self, this.ring.succs[0], this.fingers.next)
    if (i >= this.space.bits) {
      this.fingers = restartRound(this.fingers)
      i = nextFingerToFix(this.space, self, this.ring.succs[0], 0)
      if (i >= this.space.bits) return
    }
    const start = fingerStart(this.space, self, i)
    const node = await this.checkFinger(start, firstAtOrAfter(this.space, self, start, this.fingers, this.ring.succs)) ?? (await this.lookup(start)).nodes[0]
    if (node !== undefined && node.peer !== this.ring.self.peer && !this.stopped) this.c.self.tell({ type: 'finger', index: i, node })
  }

  /**
   * The successor of `start` by asking the nearest member we know at or after it, instead of a lookup of
   * O(log N) hops: it is still right unless its predecessor lies in [start, finger), and
   * a peer that joined there is found by stepping back along predecessors. Undefined when
   * it cannot tell (no usable finger, no predecessor, a long walk): then a lookup does it.
   */
  private async checkFinger (start: RingId, finger: NodeRef | undefined): Promise<NodeRef | undefined> {
    if (finger === undefined || this.isDead(finger.peer)) return undefined
    let cand = finger
    for (let step = 0; step < C.FINGER_CHECK_STEPS; step++) {
      let st: Extract<DhtMsg, { type: 'state' }>
      try {
        st = await this.rpc.call(cand.peer, { type: 'get-state' }, 'state')
      } catch (err) {
        if (meansDead(err)) this.markDead(cand.peer)
        return undefined
      }
      if (st.pred === undefined) return undefined
      const p = this.learn(st.pred)
      if (distance(this.space, start, p.id) >= distance(this.space, start, cand.id)) return cand
      cand = p
    }
    return undefined
  }

  // ---- providers ----

  private async provide (key: string, reply: Reply<void>): Promise<void> {
    try { await this.prov.remember(key) } catch (err) { reply.fail(err as Error); return }
    this.answer(reply, async () => { await this.prov.provideOnce(key) })
  }

  // ---- inbound ----

  private onMessage (from: PeerKey, msg: DhtMsg): void {
    if (msg.type === 'nudge') {
      // Only our successor knows its predecessor changed; from anyone else it is stale.
      if (this.ring.succs[0]?.peer === from) this.stabilizeNow()
      return
    }
    if (msg.type !== 'leave') { this.c.net.strike(from, `dht: one-way ${msg.type}`); return }
    const wasSucc = this.ring.succs[0]?.peer === from
    const wasPred = this.ring.pred?.peer === from
    this.markDeadNow(from)
    if (wasSucc && msg.pred === undefined) {
      const next = msg.succs.map(w => this.learn(w)).filter(n => n.peer !== from)
      if (next.length > 0) this.ring = { ...this.ring, succs: mergeSuccessors(this.space, this.ring.self, next[0], [...next.slice(1), ...this.ring.succs], this.r) }
    }
    if (wasPred && msg.pred !== undefined) this.ring = rectified(this.space, this.ring, this.learn(msg.pred), true).state
  }

  private async onRequest (from: PeerKey, msg: DhtMsg, respond: Responder<DhtMsg>): Promise<void> {
    this.alive(from)
    switch (msg.type) {
      case 'ping': respond.ok({ type: 'pong' }); return
      case 'get-state': {
        const pred = this.ring.pred
        respond.ok({ type: 'state', ...(pred !== undefined ? { pred: this.wire(pred) } : {}), succs: this.ring.succs.map(n => this.wire(n)) })
        return
      }
      case 'rectify': {
        const n = this.learn(msg.node)
        if (n.peer !== from) { respond.error('rectify must name the sender'); this.c.net.strike(from, 'dht: rectify for another peer'); return }
        const before = this.ring
        const old = before.pred
        const predDead = old !== undefined && this.isDead(old.peer)
        const oldLive = old !== undefined && !predDead ? old : undefined
        const { state, changed } = rectified(this.space, before, n, predDead)
        this.ring = state
        respond.ok({ type: 'ack' })
        // A lone member that someone joined takes it as successor now, not at the next
        // tick: until then it would answer every lookup itself and funnel joiners into it.
        if (changed && isAlone(state)) this.stabilizeNow()
        const nudge = rectifyNudge(before, state, n, predDead)
        if (nudge !== undefined) this.rpc.send(nudge.peer, { type: 'nudge' }).catch(() => {})
        if (changed) {
          const keys = handoverKeys(this.space, this.records.index, this.ring.self, oldLive, n)
          if (keys.length > 0) void this.kv.pushKeys(n.peer, keys).catch(() => {})
        }
        return
      }
      case 'get-fingers': {
        const nodes: NodeRef[] = []
        const seen = new Set<PeerKey>()
        for (const n of [...this.ring.succs, ...this.fingers.entries.map(e => e.node)]) {
          if (seen.has(n.peer) || this.isDead(n.peer) || nodes.length >= C.MAX_NODES_PER_MESSAGE) continue
          seen.add(n.peer)
          nodes.push(n)
        }
        respond.ok({ type: 'fingers', nodes: nodes.map(n => this.wire(n)) })
        return
      }
      case 'find': {
        // Alone with an explicit join in flight, we would answer "I own everything" and a peer
        // joining through us would found a second ring beside the one we are joining: refuse,
        // so it tries another member. (Automatic joins are not refused: two loners trying
        // each other would refuse each other; the lower-id rule orders them instead.)
        if (isAlone(this.ring) && this.ring.pred === undefined && this.joining > 0) {
          respond.error('dht: not joined yet')
          return
        }
        const key = idFromBytes(this.space, msg.key)
        if (key === undefined) { respond.error(`ring key must be ${this.space.bytes} bytes below 2^${this.space.bits}`); return }
        const step = this.localStep(key)
        respond.ok({ type: 'step', done: step.done, nodes: step.nodes.slice(0, C.MAX_NODES_PER_MESSAGE).map(n => this.wire(n)) })
        return
      }
      case 'put':
        await this.kv.ownerPut(msg.key, msg.value, {
          ok: (replicas) => { respond.ok({ type: 'put-ok', replicas }) },
          fail: (err) => { respond.error(err.message) }
        })
        return
      case 'get': {
        const rec = await this.records.read(msg.key)
        respond.ok(rec !== undefined ? { type: 'value', found: true, ver: rec.ver, value: rec.value } : { type: 'value', found: false, ver: 0 })
        return
      }
      case 'replicate': {
        for (const rec of msg.records) {
          if (rec.value.length > this.cfg.maxValueBytes) { respond.error(`value of ${rec.value.length} bytes exceeds ${this.cfg.maxValueBytes}`); return }
        }
        for (const rec of msg.records) await this.records.write(rec)
        respond.ok({ type: 'ack' })
        return
      }
      case 'offer': respond.ok({ type: 'want', keys: wanted(this.records.index, msg.items) }); return
      case 'add-provider':
        if (msg.provider.peer !== from && msg.forward) { respond.error('a provider announces itself'); return }
        await this.prov.addRecord(msg.key, msg.provider, msg.ttlMs, msg.forward)
        respond.ok({ type: 'ack' })
        return
      case 'get-providers':
        respond.ok({ type: 'providers', providers: this.prov.list(msg.key, Math.min(msg.limit, C.MAX_NODES_PER_MESSAGE)) })
        return
      default:
        // A response type sent as a request: the peer speaks the protocol wrongly.
        this.c.net.strike(from, `dht: ${msg.type} is not a request`)
        respond.error(`${msg.type} is not a request`)
    }
  }

  private view (): RingView {
    return { bits: this.space.bits, ring: this.ring, fingers: this.fingers.entries, records: this.records.index.size, providers: this.prov.counts().records }
  }
}

/** Factory in the runtime's style: `dht(init)(components)`. */
export const dht = (init: DhtInit) => (components: ActorComponents<DhtInbox, DhtMsg>): DhtActor => new DhtActor(components, init)

