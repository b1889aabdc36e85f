import type { Actor, ActorComponents, Reply } from '../../node/kernel/actor.ts'
import type { NetEvent, PeerKey, Responder } from '../../node/ports/net.ts'
import type { Timer } from '../../node/ports/clock.ts'
import { getJson, putJson } from '../../node/ports/store.ts'
import type { SearchHit, SharedFileInfo } from '../../node/contracts.ts'
import { NetError } from '../../node/errors.ts'
import {
  DIAL_BACKOFF_MS, HOST_CACHE_KEY, MAX_ACTIVE_SEARCHES, MAX_HITS_PER_SEARCH, MAX_MESSAGE_BYTES, MAX_PARALLEL_DIALS,
  MAX_SEARCH_TIMEOUT_MS, MAX_TRY_PEERS, SEND_QUEUE_LIMIT, TTL_LIMIT
} from './constants.ts'
import { SearchError } from './errors.ts'
import { GuidCache } from './guid-cache.ts'
import { newGuid, type Guid } from './guid.ts'
import { matchFiles, queryKeywords } from './matcher.ts'
import { encodeSearchMsg, wireFile, type HitMsg, type PeerInfo, type PingMsg, type PongMsg, type QueryFilters, type QueryMsg, type SearchMsg } from './messages.ts'
import {
  addNeighbour, admit, backOff, heard, heardDegree, learnHost, needsAddresses, newOverlay, nextDials, removeNeighbour, silentNeighbours, tryList,
  type OverlayConfig, type OverlayState
} from './overlay.ts'
import { RateLimiter } from './rate-limit.ts'
import { LOCAL, replyTtl, routeFlood, routeReply, type RouteEntry } from './router.ts'
import type { SearchConfig } from './config.ts'

/** One hit as the local caller sees it: the contract's SearchHit plus the query's GUID and distance. */
export interface FloodHit extends SearchHit {
  guid: Guid
  /** Overlay hops between the responder and this peer. */
  hops: number
}

/** Where hits of a local search go (the API's HitStream). */
export interface HitSink {
  push(hit: FloodHit): void
  end(err?: Error): void
}

export interface SearchRequest {
  words: string | string[]
  ttl?: number
  timeoutMs?: number
  filters?: QueryFilters
}

export interface NeighbourInfo {
  peer: PeerKey
  addrs: string[]
  sinceMs: number
  lastHeardMs: number
}

export interface RouteInfo {
  /** The hop this peer got the query from ('local' when it sent it). */
  prev: PeerKey | typeof LOCAL
  /** QueryHits this peer relayed back along the reverse path for that GUID. */
  relayed: number
}

type Counts = Record<SearchMsg['type'], number>
const zeroCounts = (): Counts => ({ hello: 0, welcome: 0, busy: 0, ping: 0, pong: 0, query: 0, hit: 0, bye: 0 })

export interface SearchStats {
  sent: Counts
  received: Counts
  /** Unique queries accepted (each GUID at most once). */
  queriesAccepted: number
  duplicateQueries: number
  duplicatePings: number
  rateLimited: number
  ttlClamped: number
  expired: number
  /** Descriptors from a connected peer that is not a neighbour. */
  fromStrangers: number
  queriesAnswered: number
  hitsRelayed: number
  hitsDelivered: number
  /** Replies whose GUID this peer never saw (or forgot): dropped, never flooded. */
  unknownGuid: number
  /** Hits for a local search that had already ended. */
  lateHits: number
  searchesStarted: number
  neighboursAdded: number
  neighboursLost: number
  helloRefused: number
  sendErrors: number
  /** Descriptors dropped by flow control: the neighbour's link had SEND_QUEUE_LIMIT unsent. */
  flowDropped: number
  /** Neighbours dropped so that an isolated joiner could get in. */
  madeRoom: number
  degree: number
  knownHosts: number
  activeSearches: number
}

export type SearchActorMsg =
  | { type: 'search', req: SearchRequest, sink: HitSink, reply: Reply<Guid> }
  | { type: 'cancel', guid: Guid }
  | { type: 'expire', guid: Guid }
  | { type: 'tick' }
  | { type: 'ping-tick' }
  | { type: 'dialled', peer: PeerKey, result: { ok: true, msg: SearchMsg } | { ok: false, error: string } }
  | { type: 'send-failed', peer: PeerKey, code: string }
  | { type: 'neighbours', reply: Reply<NeighbourInfo[]> }
  | { type: 'stats', reply: Reply<SearchStats> }
  | { type: 'route', guid: Guid, reply: Reply<RouteInfo | undefined> }
  | NetEvent<SearchMsg>

export interface FloodSearchInit {
  config: SearchConfig
  /** Where local answers come from: the files this peer shares (the 'chunks' Catalog). */
  localFiles?: () => Promise<SharedFileInfo[]>
  /**
   * Who counts as a neighbour. Given, the overlay is not managed (no join, no Hello, no
   * liveness drops): the supernode tier floods among its own group leaders this way.
   */
  neighbourSource?: () => PeerKey[]
  /**
   * Answers on others' behalf instead of `localFiles` (a KaZaA group leader's index): each
   * holder's matching files go back as one QueryHit naming that holder and its addresses.
   */
  holders?: () => Promise<Holder[]>
}

/** Files a group leader answers for, and who holds them. */
export interface Holder {
  peer: PeerKey
  addrs: string[]
  files: SharedFileInfo[]
}

interface LocalSearch {
  sink: HitSink
  deadline: number
  timer: Timer
  hits: number
}

/** Gnutella-style flood search: overlay upkeep, Query/QueryHit routing, local answers. */
export class FloodSearchActor implements Actor<SearchActorMsg> {
  private readonly c: ActorComponents<SearchActorMsg, SearchMsg>
  private readonly cfg: SearchConfig
  private readonly init: FloodSearchInit
  private readonly ocfg: OverlayConfig
  private overlay: OverlayState
  private readonly queries: GuidCache<RouteEntry>
  private readonly pings: GuidCache<RouteEntry>
  private readonly queryLimiter: RateLimiter<PeerKey>
  private readonly pingLimiter: RateLimiter<PeerKey>
  private readonly searches = new Map<Guid, LocalSearch>()
  private readonly stats = newStats()
  /** Per neighbour: descriptors handed to the transport and not yet taken (flow control). */
  private readonly unsent = new Map<PeerKey, number>()
  private timers: Timer[] = []

  constructor (components: ActorComponents<SearchActorMsg, SearchMsg>, init: FloodSearchInit) {
    this.c = components
    this.init = init
    this.cfg = init.config
    this.ocfg = {
      targetDegree: Math.min(this.cfg.targetDegree, this.cfg.maxDegree),
      maxDegree: this.cfg.maxDegree,
      hostCacheSize: this.cfg.hostCacheSize,
      livenessTimeoutMs: this.cfg.livenessTimeoutMs,
      dialBackoffMs: DIAL_BACKOFF_MS,
      maxParallelDials: MAX_PARALLEL_DIALS
    }
    this.overlay = newOverlay(components.net.self)
    this.queries = new GuidCache(this.cfg.guidCacheSize, this.cfg.guidExpiryMs)
    this.pings = new GuidCache(this.cfg.guidCacheSize, this.cfg.guidExpiryMs)
    const limit = { ratePerSec: this.cfg.queryRatePerSec, burst: this.cfg.queryBurst }
    this.queryLimiter = new RateLimiter(limit)
    this.pingLimiter = new RateLimiter(limit)
  }

  async start (): Promise<void> {
    this.overlay = newOverlay(this.c.net.self)
    const now = this.c.clock.now()
    const saved = await getJson<PeerInfo[]>(this.c.store, HOST_CACHE_KEY).catch((err: Error) => {
      this.c.logger.warn('host cache unreadable: starting empty', { error: err.message })
      return undefined
    })
    for (const h of Array.isArray(saved) ? saved : []) {
      if (typeof h?.peer === 'string' && Array.isArray(h.addrs)) learnHost(this.overlay, this.ocfg, h.peer, h.addrs.filter(a => typeof a === 'string'), now)
    }
    for (const p of this.c.net.connected()) learnHost(this.overlay, this.ocfg, p, this.c.net.addresses(p), now)
    const self = this.c.self
    this.timers = [
      this.c.clock.setPeriodic(this.cfg.maintainIntervalMs, () => self.tell({ type: 'tick' })),
      this.c.clock.setPeriodic(this.cfg.pingIntervalMs, () => self.tell({ type: 'ping-tick' }))
    ]
    this.maintain()
  }

  async stop (): Promise<void> {
    for (const t of this.timers) t.cancel()
    for (const s of this.searches.values()) {
      s.timer.cancel()
      s.sink.end(new SearchError('stopped', 'the search actor stopped before the deadline'))
    }
    this.searches.clear()
    if (this.init.neighbourSource === undefined) {
      await Promise.allSettled([...this.overlay.neighbours.keys()].map(async p => { await this.c.net.send(p, { type: 'bye', reason: 'leaving' }) }))
    }
    await this.persistHosts()
  }

  status (): unknown {
    return { degree: this.neighbourList().length, knownHosts: this.overlay.hosts.size, activeSearches: this.searches.size, queriesAccepted: this.stats.queriesAccepted }
  }

  async receive (m: SearchActorMsg): Promise<void> {
    switch (m.type) {
      case 'net:message': this.onMessage(m.from, m.msg); break
      case 'net:request': this.onRequest(m.from, m.msg, m.respond); break
      case 'net:connect': this.onConnect(m.peer); break
      case 'net:disconnect': this.lose(m.peer, 'disconnected'); break
      case 'search': this.startSearch(m.req, m.sink, m.reply); break
      case 'cancel':
      case 'expire': this.finishSearch(m.guid); break
      case 'tick': this.onTick(); break
      case 'ping-tick': await this.onPingTick(); break
      case 'dialled': this.onDialled(m.peer, m.result); break
      case 'send-failed': if (this.overlay.neighbours.has(m.peer)) this.lose(m.peer, `send failed: ${m.code}`); break
      case 'neighbours': m.reply.ok(this.neighbourInfo()); break
      case 'stats': m.reply.ok(this.snapshot()); break
      case 'route': {
        const e = this.queries.get(m.guid, this.c.clock.now())
        m.reply.ok(e === undefined ? undefined : { prev: e.prev, relayed: e.relayed })
        break
      }
    }
  }

  // ---- neighbours ----

  private neighbourList (): PeerKey[] {
    return this.init.neighbourSource?.() ?? [...this.overlay.neighbours.keys()]
  }

  private isNeighbour (p: PeerKey): boolean {
    return this.init.neighbourSource !== undefined ? this.init.neighbourSource().includes(p) : this.overlay.neighbours.has(p)
  }

  private get managed (): boolean {
    return this.init.neighbourSource === undefined
  }

  private onConnect (peer: PeerKey): void {
    learnHost(this.overlay, this.ocfg, peer, this.c.net.addresses(peer), this.c.clock.now())
    this.maintain()
  }

  private lose (peer: PeerKey, why: string): void {
    this.queryLimiter.forget(peer)
    this.pingLimiter.forget(peer)
    if (!removeNeighbour(this.overlay, peer)) return
    this.stats.neighboursLost++
    this.c.logger.debug('neighbour lost', { peer, why, degree: this.overlay.neighbours.size })
    this.maintain()
  }

  /** Dial candidates towards the target degree; each dial reports back as a 'dialled' message. */
  private maintain (): void {
    if (!this.managed) return
    const dials = nextDials(this.overlay, this.ocfg, this.c.clock.now(), xs => this.c.random.shuffle(xs))
    for (const peer of dials) {
      this.overlay.dialing.add(peer)
      void this.dial(peer, this.overlay.hosts.get(peer)?.addrs ?? [])
    }
  }

  /** Runs outside the mailbox (a dial can take seconds): connect, Hello, then report. */
  private async dial (peer: PeerKey, addrs: string[]): Promise<void> {
    let result: Extract<SearchActorMsg, { type: 'dialled' }>['result']
    const opened = !this.c.net.connected().includes(peer)
    try {
      if (opened) {
        try {
          await this.c.net.connect(addrs.length > 0 ? addrs : peer)
        } catch (err) {
          if (addrs.length === 0) throw err
          await this.c.net.connect(peer)
        }
      }
      const msg = await this.c.net.request(peer, { type: 'hello', addrs: this.c.net.addresses(), degree: this.overlay.neighbours.size }, { timeoutMs: this.cfg.helloTimeoutMs })
      result = { ok: true, msg }
    } catch (err) {
      result = { ok: false, error: (err as Error).message }
    }
    // A connection opened only for a Hello that was refused would otherwise stay open for
    // nothing: across a 200-peer overlay those add up to ~100 idle connections per peer.
    if (opened && !(result.ok && result.msg.type === 'welcome')) {
      await this.c.net.disconnect(peer).catch((err: Error) => { this.c.logger.debug('disconnect after refused hello failed', { peer, error: err.message }) })
    }
    this.c.self.tell({ type: 'dialled', peer, result })
  }

  private onDialled (peer: PeerKey, result: Extract<SearchActorMsg, { type: 'dialled' }>['result']): void {
    this.overlay.dialing.delete(peer)
    const now = this.c.clock.now()
    if (result.ok && result.msg.type === 'welcome') {
      learnHost(this.overlay, this.ocfg, peer, result.msg.addrs, now)
      if (admit(this.overlay, this.ocfg, peer).kind !== 'accept') {
        // Inbound joiners filled our slots while this dial was in flight: undo it politely.
        this.send(peer, { type: 'bye', reason: 'full' })
      } else if (addNeighbour(this.overlay, peer, result.msg.addrs, now, result.msg.degree)) {
        this.stats.neighboursAdded++
        // Ask the new neighbour's surroundings for addresses while below target (Gnutella's join Ping).
        if (needsAddresses(this.overlay, this.ocfg, now)) this.sendPing(this.cfg.joinPingTtl, [peer])
      }
    } else if (result.ok && result.msg.type === 'busy') {
      this.stats.helloRefused++
      backOff(this.overlay, peer, now, this.ocfg.dialBackoffMs)
      for (const p of result.msg.try) learnHost(this.overlay, this.ocfg, p.peer, p.addrs, now)
    } else {
      backOff(this.overlay, peer, now, this.ocfg.dialBackoffMs)
      this.c.logger.debug('neighbour dial failed', { peer, error: result.ok ? `unexpected ${result.msg.type}` : result.error })
    }
    this.maintain()
  }

  private onRequest (from: PeerKey, msg: SearchMsg, respond: Responder<SearchMsg>): void {
    this.count('received', msg.type)
    if (msg.type !== 'hello' || !this.managed) {
      respond.error(`unexpected ${msg.type} request`)
      return
    }
    const now = this.c.clock.now()
    learnHost(this.overlay, this.ocfg, from, msg.addrs, now)
    const admission = admit(this.overlay, this.ocfg, from, msg.degree, xs => this.c.random.pick(xs) as PeerKey)
    if (admission.kind === 'make-room') {
      this.stats.madeRoom++
      this.send(admission.drop, { type: 'bye', reason: 'making room for an isolated joiner' })
      this.lose(admission.drop, 'dropped to make room for an isolated joiner')
    }
    if (admission.kind !== 'refuse') {
      // The joiner's degree counts us once it has got our welcome.
      if (addNeighbour(this.overlay, from, msg.addrs, now, msg.degree + 1)) this.stats.neighboursAdded++
      this.overlay.dialing.delete(from)
      respond.ok({ type: 'welcome', addrs: this.c.net.addresses(), degree: this.overlay.neighbours.size })
      this.count('sent', 'welcome')
    } else {
      respond.ok({ type: 'busy', try: tryList(this.overlay, from, MAX_TRY_PEERS) })
      this.count('sent', 'busy')
    }
  }

  private onTick (): void {
    const now = this.c.clock.now()
    for (const [guid, s] of this.searches) if (s.deadline <= now) this.finishSearch(guid)
    this.queries.prune(now)
    this.pings.prune(now)
    this.maintain()
  }

  private async onPingTick (): Promise<void> {
    if (this.managed) {
      for (const p of silentNeighbours(this.overlay, this.ocfg, this.c.clock.now())) {
        this.send(p, { type: 'bye', reason: 'silent' })
        this.lose(p, 'silent')
      }
    }
    // TTL 1: a keep-alive that every neighbour answers with a Pong (liveness both ways).
    this.sendPing(1, this.neighbourList())
    if (this.managed && this.overlay.neighbours.size > 0 && needsAddresses(this.overlay, this.ocfg, this.c.clock.now())) {
      this.sendPing(this.cfg.joinPingTtl, this.neighbourList())
    }
    await this.persistHosts()
  }

  private async persistHosts (): Promise<void> {
    const list: PeerInfo[] = [...this.overlay.hosts].map(([peer, h]) => ({ peer, addrs: h.addrs }))
    await putJson(this.c.store, HOST_CACHE_KEY, list).catch((err: Error) => {
      this.c.logger.warn('host cache not saved', { error: err.message })
    })
  }

  // ---- descriptors ----

  private onMessage (from: PeerKey, msg: SearchMsg): void {
    this.count('received', msg.type)
    heard(this.overlay, from, this.c.clock.now())
    switch (msg.type) {
      case 'ping': this.onPing(from, msg); break
      case 'pong': this.onPong(msg); break
      case 'query': this.onQuery(from, msg); break
      case 'hit': this.onHit(msg); break
      case 'bye': this.lose(from, `bye: ${msg.reason}`); break
      default:
        // Handshake messages only travel as requests and responses.
        this.c.net.strike(from, `search ${msg.type} sent as a plain message`)
    }
  }

  private sendPing (ttl: number, to: PeerKey[]): void {
    if (to.length === 0) return
    const guid = newGuid(this.c.random)
    this.pings.add(guid, { prev: LOCAL, relayed: 0 }, this.c.clock.now())
    this.sendAll(to, { type: 'ping', guid, ttl, hops: 0 })
  }

  private onPing (from: PeerKey, msg: PingMsg): void {
    if (!this.isNeighbour(from)) { this.stats.fromStrangers++; return }
    const now = this.c.clock.now()
    const d = routeFlood(this.pings, from, msg, this.neighbourList(), now, this.cfg.maxTtl, () => this.pingLimiter.allow(from, now))
    if (d.action === 'drop') {
      if (d.reason === 'duplicate') this.stats.duplicatePings++
      else if (d.reason === 'rate-limited') this.stats.rateLimited++
      else this.stats.expired++
      return
    }
    if (d.clamped) this.stats.ttlClamped++
    this.send(from, { type: 'pong', guid: msg.guid, ttl: replyTtl(msg.hops), hops: 0, peer: this.c.net.self, addrs: this.c.net.addresses(), degree: this.overlay.neighbours.size })
    this.sendAll(d.forward.to, d.forward.msg)
  }

  private onPong (msg: PongMsg): void {
    const now = this.c.clock.now()
    const d = routeReply(this.pings, msg, now, this.cfg.maxTtl)
    if (d.action === 'drop') {
      if (d.reason === 'unknown-guid') this.stats.unknownGuid++
      else this.stats.expired++
      return
    }
    // Every Pong passing by is an address worth knowing (Gnutella's pong caching).
    learnHost(this.overlay, this.ocfg, msg.peer, msg.addrs, now)
    heardDegree(this.overlay, msg.peer, msg.degree)
    if (d.action === 'forward') this.send(d.to, d.msg)
    else this.maintain()
  }

  private onQuery (from: PeerKey, msg: QueryMsg): void {
    if (!this.isNeighbour(from)) { this.stats.fromStrangers++; return }
    const now = this.c.clock.now()
    const d = routeFlood(this.queries, from, msg, this.neighbourList(), now, this.cfg.maxTtl, () => this.queryLimiter.allow(from, now))
    if (d.action === 'drop') {
      if (d.reason === 'duplicate') this.stats.duplicateQueries++
      else if (d.reason === 'rate-limited') this.stats.rateLimited++
      else this.stats.expired++
      return
    }
    this.stats.queriesAccepted++
    if (d.clamped) this.stats.ttlClamped++
    this.sendAll(d.forward.to, d.forward.msg)
    // Off the mailbox: the shared-file list is an ask to another actor, and a slow answer
    // must not hold up the flood passing through this peer.
    void this.answer(from, d.msg)
  }

  private async answer (from: PeerKey, q: QueryMsg): Promise<void> {
    const { localFiles, holders } = this.init
    if (localFiles === undefined && holders === undefined) return
    let groups: Holder[]
    try {
      groups = holders !== undefined
        ? await holders()
        : [{ peer: this.c.net.self, addrs: this.c.net.addresses(), files: await (localFiles as () => Promise<SharedFileInfo[]>)() }]
    } catch (err) {
      this.c.logger.warn('shared files unavailable: query not answered', { error: (err as Error).message, guid: q.guid })
      return
    }
    const filters: QueryFilters = {}
    if (q.minSize !== undefined) filters.minSize = q.minSize
    if (q.maxSize !== undefined) filters.maxSize = q.maxSize
    let answered = false
    for (const g of groups) {
      const shareable = g.files.map(wireFile).filter((f): f is SharedFileInfo => f !== undefined)
      const results = matchFiles(shareable, q.keywords, filters, this.cfg.maxResultsPerHit)
      if (results.length === 0) continue
      const hit = fitHit({ type: 'hit', guid: q.guid, ttl: replyTtl(q.hops), hops: 0, responder: g.peer, addrs: g.addrs, results })
      if (hit === undefined) continue
      answered = true
      this.send(from, hit)
    }
    if (answered) this.stats.queriesAnswered++
  }

  private onHit (msg: HitMsg): void {
    const d = routeReply(this.queries, msg, this.c.clock.now(), this.cfg.maxTtl)
    if (d.action === 'forward') {
      this.stats.hitsRelayed++
      this.send(d.to, d.msg)
      return
    }
    if (d.action === 'drop') {
      if (d.reason === 'unknown-guid') this.stats.unknownGuid++
      else this.stats.expired++
      return
    }
    const s = this.searches.get(msg.guid)
    if (s === undefined) { this.stats.lateHits++; return }
    this.stats.hitsDelivered++
    for (const file of msg.results) {
      if (s.hits >= MAX_HITS_PER_SEARCH) break
      s.hits++
      s.sink.push({ file, peer: msg.responder, addrs: msg.addrs, guid: msg.guid, hops: msg.hops + 1 })
    }
  }

  // ---- local searches ----

  private startSearch (req: SearchRequest, sink: HitSink, reply: Reply<Guid>): void {
    const keywords = queryKeywords(req.words)
    if (keywords.length === 0) {
      reply.fail(new SearchError('bad-query', 'a search needs at least one word of letters or digits', { words: req.words }))
      return
    }
    const ttl = req.ttl ?? this.cfg.defaultTtl
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > TTL_LIMIT) {
      reply.fail(new SearchError('bad-option', `ttl must be an integer from 1 to ${TTL_LIMIT}, got ${ttl}`, { field: 'ttl', value: ttl }))
      return
    }
    const timeoutMs = req.timeoutMs ?? this.cfg.defaultTimeoutMs
    if (!(timeoutMs > 0 && timeoutMs <= MAX_SEARCH_TIMEOUT_MS)) {
      reply.fail(new SearchError('bad-option', `timeout must be more than 0 and at most ${MAX_SEARCH_TIMEOUT_MS} ms, got ${timeoutMs}`, { field: 'timeoutMs', value: timeoutMs }))
      return
    }
    if (this.searches.size >= MAX_ACTIVE_SEARCHES) {
      reply.fail(new SearchError('too-many-searches', `${MAX_ACTIVE_SEARCHES} searches already running`, { limit: MAX_ACTIVE_SEARCHES }))
      return
    }
    const now = this.c.clock.now()
    const guid = newGuid(this.c.random)
    this.queries.add(guid, { prev: LOCAL, relayed: 0 }, now)
    const timer = this.c.clock.setTimer(timeoutMs, () => this.c.self.tell({ type: 'expire', guid }))
    this.searches.set(guid, { sink, deadline: now + timeoutMs, timer, hits: 0 })
    this.stats.searchesStarted++
    reply.ok(guid)
    const q: QueryMsg = { type: 'query', guid, ttl: Math.min(ttl, this.cfg.maxTtl), hops: 0, keywords }
    if (req.filters?.minSize !== undefined) q.minSize = req.filters.minSize
    if (req.filters?.maxSize !== undefined) q.maxSize = req.filters.maxSize
    // The user's own query bypasses flow control (MAX_ACTIVE_SEARCHES bounds those); what
    // flow control protects is the flood passing through.
    for (const p of this.neighbourList()) this.send(p, q, true)
  }

  private finishSearch (guid: Guid): void {
    const s = this.searches.get(guid)
    if (s === undefined) return
    this.searches.delete(guid)
    s.timer.cancel()
    s.sink.end()
  }

  // ---- sending and figures ----

  private sendAll (to: PeerKey[], msg: SearchMsg): void {
    for (const p of to) this.send(p, msg)
  }

  /**
   * Fire and forget, never awaited inside `receive`: the transport's write waits for the
   * receiving actor's mailbox, so two neighbours each awaiting a send to the other (a
   * flood does exactly that) would stall both mailboxes for good. A failure comes back
   * as a message, so losing the neighbour happens in turn like any other state change.
   */
  private send (to: PeerKey, msg: SearchMsg, own = false): void {
    const queued = this.unsent.get(to) ?? 0
    if (!own && queued >= (msg.type === 'hit' || msg.type === 'bye' ? 2 * SEND_QUEUE_LIMIT : SEND_QUEUE_LIMIT)) {
      this.stats.flowDropped++
      return
    }
    this.unsent.set(to, queued + 1)
    this.count('sent', msg.type)
    const taken = (): void => {
      const n = (this.unsent.get(to) ?? 1) - 1
      if (n > 0) this.unsent.set(to, n)
      else this.unsent.delete(to)
    }
    this.c.net.send(to, msg).then(taken, (err: Error) => {
      taken()
      this.stats.sendErrors++
      this.c.logger.debug('search send failed', { peer: to, type: msg.type, error: err.message })
      if (err instanceof NetError) this.c.self.tell({ type: 'send-failed', peer: to, code: err.code })
    })
  }

  private count (dir: 'sent' | 'received', type: SearchMsg['type']): void {
    this.stats[dir][type]++
  }

  private neighbourInfo (): NeighbourInfo[] {
    const now = this.c.clock.now()
    if (!this.managed) return this.neighbourList().map(peer => ({ peer, addrs: this.c.net.addresses(peer), sinceMs: 0, lastHeardMs: 0 }))
    return [...this.overlay.neighbours].map(([peer, n]) => ({ peer, addrs: n.addrs, sinceMs: now - n.since, lastHeardMs: now - n.lastHeard }))
  }

  private snapshot (): SearchStats {
    return {
      ...this.stats,
      sent: { ...this.stats.sent },
      received: { ...this.stats.received },
      degree: this.neighbourList().length,
      knownHosts: this.overlay.hosts.size,
      activeSearches: this.searches.size
    }
  }
}

function newStats (): SearchStats {
  return {
    sent: zeroCounts(),
    received: zeroCounts(),
    queriesAccepted: 0,
    duplicateQueries: 0,
    duplicatePings: 0,
    rateLimited: 0,
    ttlClamped: 0,
    expired: 0,
    fromStrangers: 0,
    queriesAnswered: 0,
    hitsRelayed: 0,
    hitsDelivered: 0,
    unknownGuid: 0,
    lateHits: 0,
    searchesStarted: 0,
    neighboursAdded: 0,
    neighboursLost: 0,
    helloRefused: 0,
    sendErrors: 0,
    flowDropped: 0,
    madeRoom: 0,
    degree: 0,
    knownHosts: 0,
    activeSearches: 0
  }
}

/** Drop results from the end until the QueryHit fits in one frame; undefined if even one does not. */
export function fitHit (hit: HitMsg): HitMsg | undefined {
  let h = hit
  while (h.results.length > 0) {
    if (encodeSearchMsg(h).length <= MAX_MESSAGE_BYTES) return h
    h = { ...h, results: h.results.slice(0, -1) }
  }
  return undefined
}

/** js-libp2p style factory: `floodSearch(init)(components)`. */
export const floodSearch = (init: FloodSearchInit) => (components: ActorComponents<SearchActorMsg, SearchMsg>): FloodSearchActor =>
  new FloodSearchActor(components, init)
