import type { Catalog, NatHost, SharedFileInfo } from '../../node/contracts.ts'
import type { ActorComponents, Reply } from '../../node/kernel/actor.ts'
import type { NetEvent, PeerKey } from '../../node/ports/net.ts'
import type { Signer } from '../../node/ports/signer.ts'
import { getJson, putJson } from '../../node/ports/store.ts'
import type { Holder } from '../flood-search/actor.ts'
import type { SearchApi } from '../flood-search/api.ts'
import { newGuid, type Guid } from '../flood-search/guid.ts'
import { queryKeywords } from '../flood-search/matcher.ts'
import { RateLimiter } from '../flood-search/rate-limit.ts'
import { signClaim, verifyClaim } from './claim.ts'
import { CHILD_QUERY_BURST, CHILD_QUERY_RATE_PER_SEC, MAX_QUERY_TIMEOUT_MS, TIER_DEADLINE_SHARE } from './constants.ts'
import { expireIndex, holders, mergeHits, searchHolders, type ContentIndex } from './content-index.ts'
import { claim, expire, fromStored, isKnown, lookup, merge, toStored, toWire, type DirEntry, type Directory, type StoredEntry } from './directory.ts'
import { relayErrorFromRemote, remoteText, RelayError } from './errors.ts'
import { admitUpdate, isCutOff } from './flood-guard.ts'
import type { PeerInfo, RelayMsg, Role, TierHit } from './messages.ts'
import { backoffMs, pickSupernode, type Candidate } from './picker.ts'
import { decideRole, shouldAttach, type AttachSetting, type RoleSetting } from './role.ts'
import type { TierView } from './tier.ts'

export interface RelaySettings {
  role: RoleSetting
  attach: AttachSetting
  supernodes: string[]
  checkIntervalMs: number
  refreshIntervalMs: number
  claimTtlMs: number
  maxDescriptorsPerChild: number
  maxUpdatesPerMinute: number
  cutoffMs: number
  tierTtl: number
  maxHits: number
  tierQueryTimeoutMs: number
}

export interface RelayInit {
  settings: RelaySettings
  /** This peer's user name (`node.name`); empty: claims none. */
  name: string
  nat?: NatHost
  catalog?: Catalog
  /** Signs our name claims and verifies others' (absent: we claim no name and accept no claim). */
  signer?: Signer
  /** Written here: the connected supernodes, the tier search's neighbours. */
  tier?: TierView
  /** The tier's flood search (spawned after this actor, hence a getter). */
  tierSearch?: () => SearchApi | undefined
}

/** A search run by the supernode tier: the tier query's GUID and the hits. */
export interface TierAnswer { guid: Guid, hits: TierHit[] }

export interface SearchParams { keywords: string[], ttl?: number, limit?: number, timeoutMs: number }

export interface WhereResult { name: string, peer: PeerKey, addrs: string[] }

export interface RelayStatus {
  role: Role
  reachability: string
  supernode?: PeerKey
  relayedAddrs: string[]
  nameState: 'none' | 'pending' | 'claimed' | 'refused'
  knownSupernodes: number
  tier: PeerKey[]
  children: number
  directory: number
  indexedFiles: number
  cutOff: number
  failovers: number
}

type AttachOutcome =
  | { type: 'attach-done', peer: PeerKey, relayed: string[], nameError?: string, supernodes: PeerInfo[], published: string }
  | { type: 'attach-failed', peer: PeerKey, error: string }

export type RelayCmd =
  | { type: 'tick' }
  | { type: 'whereis', name: string, reply: Reply<WhereResult> }
  | { type: 'search', params: SearchParams, reply: Reply<TierAnswer> }
  | { type: 'routes-upstream', reply: Reply<boolean> }
  | { type: 'holders', reply: Reply<Holder[]> }
  | { type: 'status', reply: Reply<RelayStatus> }
  | { type: 'welcomed', peer: PeerKey, role: Role, addrs: string[], supernodes: PeerInfo[] }
  | { type: 'hello-failed', peer: PeerKey }
  | { type: 'refreshed', peer: PeerKey, published: string }
  | AttachOutcome
  | NetEvent<RelayMsg>

interface Child {
  name: string
  addrs: string[]
  updates: number[]
}

const DIR_KEY = 'directory'
const SUPERNODES_KEY = 'supernodes'

/**
 * The supernode layer (Skype super peers, KaZaA group leaders) over libp2p's relay.
 * A supernode keeps its children, the name directory (signed claims, verified on arrival
 * and replicated to the other supernodes it knows) and its children's file descriptors;
 * it runs its children's searches on its own index and floods them among supernodes only,
 * through the tier's flood search (tier.ts). An ordinary peer behind NAT attaches to one
 * supernode: it reserves a relay slot through the host, claims its name with a signed
 * claim over its relayed addresses, uploads its descriptors, refreshes them, and moves to
 * another supernode when its own goes away.
 */
export class RelayActor {
  private readonly c: ActorComponents<RelayCmd, RelayMsg>
  private readonly s: RelaySettings
  private readonly init: RelayInit
  private role: Role = 'ordinary'
  // Known supernodes (candidates for a child; tier members for a supernode).
  private readonly supers = new Map<PeerKey, Candidate>()
  private readonly helloed = new Set<PeerKey>()
  // Child side.
  private parent?: PeerKey
  private relayed: string[] = []
  private attaching = false
  private refreshing = false
  private nameState: RelayStatus['nameState'] = 'none'
  private lastRefresh = 0
  private lastPublished = ''
  private failovers = 0
  // Supernode side.
  private readonly children = new Map<PeerKey, Child>()
  private readonly dir: Directory = new Map()
  private readonly index: ContentIndex = new Map()
  private readonly cutoff = new Map<PeerKey, number>()
  private readonly childQueries = new RateLimiter<PeerKey>({ ratePerSec: CHILD_QUERY_RATE_PER_SEC, burst: CHILD_QUERY_BURST })
  private lastFullSync = 0
  private warnedUnsigned = false

  constructor (components: ActorComponents<RelayCmd, RelayMsg>, init: RelayInit) {
    this.c = components
    this.init = init
    this.s = init.settings
  }

  async start (): Promise<void> {
    const now = this.c.clock.now()
    for (const s of await getJson<Array<Partial<StoredEntry>>>(this.c.store, DIR_KEY) ?? []) {
      const e = fromStored(s)
      if (e !== undefined && e.expiresAt > now) this.dir.set(e.name.toLowerCase(), e)
    }
    for (const p of await getJson<PeerInfo[]>(this.c.store, SUPERNODES_KEY) ?? []) this.learnSupernode(p.peer, p.addrs)
    for (const a of this.s.supernodes) {
      const id = /\/p2p\/([^/]+)$/.exec(a)?.[1]
      if (id !== undefined) this.learnSupernode(id as PeerKey, [a])
    }
    this.role = this.currentRole()
    this.nameState = this.init.name === '' ? 'none' : 'pending'
    this.c.clock.setPeriodic(this.s.checkIntervalMs, () => this.c.self.tell({ type: 'tick' }))
    this.c.self.tell({ type: 'tick' })
  }

  status (): RelayStatus {
    let files = 0
    for (const c of this.index.values()) files += c.files.length
    return {
      role: this.role,
      reachability: this.init.nat?.reachability() ?? 'unknown',
      ...(this.parent !== undefined ? { supernode: this.parent } : {}),
      relayedAddrs: this.relayed,
      nameState: this.nameState,
      knownSupernodes: this.supers.size,
      tier: this.tier(),
      children: this.children.size,
      directory: this.dir.size,
      indexedFiles: files,
      cutOff: this.cutoff.size,
      failovers: this.failovers
    }
  }

  async receive (m: RelayCmd): Promise<void> {
    switch (m.type) {
      case 'tick': await this.tick(); break
      case 'status': m.reply.ok(this.status()); break
      case 'whereis': this.whereis(m.name, m.reply); break
      case 'search': this.search(m.params, m.reply); break
      case 'routes-upstream': m.reply.ok(this.role === 'ordinary' && this.parent !== undefined); break
      case 'holders': m.reply.ok(await this.holders()); break
      case 'welcomed': this.welcomed(m.peer, m.role, m.addrs, m.supernodes); break
      case 'hello-failed': this.helloed.delete(m.peer); break
      case 'attach-done': this.attachDone(m); break
      case 'attach-failed': this.attachFailed(m.peer, m.error); break
      case 'refreshed': this.refreshing = false; this.lastPublished = m.published; break
      case 'net:connect': this.hello(m.peer); break
      case 'net:disconnect': this.disconnected(m.peer); break
      case 'net:request': await this.request(m.from, m.msg, m.respond); break
      case 'net:message': await this.message(m.from, m.msg); break
    }
    this.init.tier?.set(this.role === 'super' ? this.tier() : [])
  }

  // ---- roles and discovery ----

  private currentRole (): Role {
    return decideRole(this.s.role, this.init.nat?.reachability() ?? 'unknown', this.init.nat?.relayServer ?? this.s.role === 'super')
  }

  private learnSupernode (peer: PeerKey, addrs: string[]): void {
    if (peer === this.c.net.self) return
    const cur = this.supers.get(peer)
    if (cur === undefined) this.supers.set(peer, { peer, addrs: addrs.slice(0, 8), connected: false, failures: 0, retryAt: 0 })
    else if (addrs.length > 0) cur.addrs = addrs.slice(0, 8)
  }

  private tier (): PeerKey[] {
    const connected = new Set(this.c.net.connected())
    return [...this.supers.keys()].filter(p => connected.has(p))
  }

  private ownAddrs (): string[] {
    return this.c.net.addresses().slice(0, 8)
  }

  /** Ask a newly connected peer what it is (and which supernodes it knows). */
  private hello (peer: PeerKey): void {
    if (this.helloed.has(peer)) return
    this.helloed.add(peer)
    const msg: RelayMsg = { type: 'hello', role: this.role, addrs: this.role === 'super' ? this.ownAddrs() : [] }
    this.c.net.request(peer, msg, { timeoutMs: this.s.tierQueryTimeoutMs }).then(res => {
      if (res.type === 'welcome') this.c.self.tell({ type: 'welcomed', peer, role: res.role, addrs: res.addrs, supernodes: res.supernodes })
    }, () => { this.c.self.tell({ type: 'hello-failed', peer }) })
  }

  private welcomed (peer: PeerKey, role: Role, addrs: string[], supernodes: PeerInfo[]): void {
    if (role === 'super') {
      this.learnSupernode(peer, addrs.length > 0 ? addrs : this.c.net.addresses(peer))
      if (this.role === 'super') this.syncTo(peer, true)
    }
    for (const s of supernodes) this.learnSupernode(s.peer, s.addrs)
    void this.saveSupernodes()
  }

  private supernodeList (exclude?: PeerKey): PeerInfo[] {
    const out: PeerInfo[] = []
    if (this.role === 'super') out.push({ peer: this.c.net.self, addrs: this.ownAddrs() })
    for (const c of this.supers.values()) if (c.peer !== exclude && c.addrs.length > 0) out.push({ peer: c.peer, addrs: c.addrs })
    return out.slice(0, 32)
  }

  private async saveSupernodes (): Promise<void> {
    await putJson(this.c.store, SUPERNODES_KEY, [...this.supers.values()].map(c => ({ peer: c.peer, addrs: c.addrs })))
  }

  // ---- the periodic check ----

  private async tick (): Promise<void> {
    const now = this.c.clock.now()
    const was = this.role
    this.role = this.currentRole()
    if (was !== this.role) {
      this.c.logger.info('role changed', { from: was, to: this.role })
      this.helloed.clear()
    }
    const connected = new Set(this.c.net.connected())
    for (const c of this.supers.values()) c.connected = connected.has(c.peer)
    for (const p of connected) this.hello(p)
    if (this.role === 'super') await this.superTick(now)
    else this.childTick(now)
  }

  private async superTick (now: number): Promise<void> {
    if (expire(this.dir, now) > 0) await this.saveDir()
    expireIndex(this.index, now)
    for (const [p, until] of this.cutoff) if (!isCutOff(until, now)) this.cutoff.delete(p)
    // Keep the supernode tier connected: a query floods only over live links.
    for (const c of this.supers.values()) {
      if (c.connected || c.addrs.length === 0 || c.retryAt > now) continue
      c.retryAt = now + backoffMs(++c.failures, this.s.checkIntervalMs)
      this.c.net.connect(c.addrs).then(() => { c.failures = 0 }, () => {})
    }
    if (now - this.lastFullSync >= this.s.refreshIntervalMs) {
      this.lastFullSync = now
      for (const p of this.tier()) this.syncTo(p, true)
    }
  }

  private childTick (now: number): void {
    const nat = this.init.nat
    if (!shouldAttach(this.role, this.s.attach, nat?.reachability() ?? 'unknown')) return
    if (this.parent !== undefined) {
      const linkUp = this.c.net.connected().includes(this.parent)
      const reserved = nat === undefined || nat.relayedAddresses(this.parent).length > 0
      if (!linkUp || !reserved) {
        this.lost(this.parent, linkUp ? 'reservation gone' : 'connection gone', now)
      } else if (!this.refreshing && !this.attaching && now - this.lastRefresh >= this.s.refreshIntervalMs) {
        this.refresh(this.parent, now)
      } else if (!this.refreshing && !this.attaching) {
        void this.publishIfChanged(this.parent)
      }
    }
    if (this.parent === undefined && !this.attaching) {
      const next = pickSupernode([...this.supers.values()], now)
      if (next !== undefined) this.startAttach(next, now)
    }
  }

  private lost (peer: PeerKey, why: string, now: number): void {
    this.c.logger.warn('supernode lost: failing over', { supernode: peer, why })
    const c = this.supers.get(peer)
    if (c !== undefined) { c.failures++; c.retryAt = now + backoffMs(c.failures, this.s.checkIntervalMs) }
    this.parent = undefined
    this.relayed = []
    this.failovers++
  }

  // ---- child: attaching, refreshing, failing over ----

  private startAttach (cand: Candidate, now: number): void {
    this.attaching = true
    const peer = cand.peer
    const nat = this.init.nat
    const job = async (): Promise<AttachOutcome> => {
      if (!this.c.net.connected().includes(peer)) await this.c.net.connect(cand.addrs)
      const relayed = nat !== undefined ? await nat.reserve(cand.addrs) : []
      const addrs = [...relayed, ...this.ownAddrs()].slice(0, 16)
      let nameError: string | undefined
      let supernodes: PeerInfo[] = []
      try {
        const res = await this.c.net.request(peer, await this.attachMsg(addrs))
        if (res.type === 'attached') supernodes = res.supernodes
      } catch (err) {
        const re = relayErrorFromRemote((err as Error).message)
        if (re?.code !== 'name-taken' && re?.code !== 'bad-signature') throw err
        nameError = re.message
      }
      const published = await this.publish(peer)
      return { type: 'attach-done', peer, relayed, supernodes, published, ...(nameError !== undefined ? { nameError } : {}) }
    }
    job().then(r => this.c.self.tell(r), (err: Error) => this.c.self.tell({ type: 'attach-failed', peer, error: err.message }))
    this.c.logger.debug('attaching', { supernode: peer, at: now })
  }

  private attachDone (m: Extract<AttachOutcome, { type: 'attach-done' }>): void {
    this.attaching = false
    const now = this.c.clock.now()
    this.parent = m.peer
    this.relayed = m.relayed
    this.lastRefresh = now
    this.lastPublished = m.published
    const c = this.supers.get(m.peer)
    if (c !== undefined) { c.failures = 0; c.retryAt = 0 }
    for (const s of m.supernodes) this.learnSupernode(s.peer, s.addrs)
    if (this.init.name !== '') {
      this.nameState = m.nameError === undefined && this.init.signer !== undefined ? 'claimed' : 'refused'
      if (m.nameError !== undefined) this.c.logger.error('name refused by the directory', { name: this.init.name, reason: m.nameError })
    }
    this.c.logger.info('attached to supernode', { supernode: m.peer, relayed: m.relayed.join(' ') })
  }

  private attachFailed (peer: PeerKey, error: string): void {
    this.attaching = false
    const c = this.supers.get(peer)
    const now = this.c.clock.now()
    if (c !== undefined) { c.failures++; c.retryAt = now + backoffMs(c.failures, this.s.checkIntervalMs) }
    this.c.logger.warn('attaching to supernode failed', { supernode: peer, error })
  }

  private refresh (peer: PeerKey, now: number): void {
    this.refreshing = true
    this.lastRefresh = now
    const addrs = [...(this.init.nat?.relayedAddresses(peer) ?? []), ...this.ownAddrs()].slice(0, 16)
    const job = async (): Promise<string> => {
      await this.c.net.request(peer, await this.attachMsg(addrs)).catch((err: Error) => {
        const code = relayErrorFromRemote(err.message)?.code
        if (code !== 'name-taken' && code !== 'bad-signature') throw err
      })
      return await this.publish(peer)
    }
    job().then(published => this.c.self.tell({ type: 'refreshed', peer, published }),
      (err: Error) => {
        this.c.logger.warn('refresh failed', { supernode: peer, error: err.message })
        this.c.self.tell({ type: 'refreshed', peer, published: '' })
      })
  }

  /** Attach (and refresh) carries our name claim, signed over the addresses we announce. */
  private async attachMsg (addrs: string[]): Promise<RelayMsg> {
    const signer = this.init.signer
    if (this.init.name === '' || signer === undefined) {
      if (this.init.name !== '' && !this.warnedUnsigned) {
        this.warnedUnsigned = true
        this.c.logger.error('no signer: the name is not claimed (supernodes accept signed claims only)', { name: this.init.name })
      }
      return { type: 'attach', name: '', addrs, issuedAt: 0, sig: new Uint8Array() }
    }
    const c = await signClaim(signer, { name: this.init.name, peer: this.c.net.self, addrs, issuedAt: this.c.clock.now() })
    return { type: 'attach', name: c.name, addrs, issuedAt: c.issuedAt, sig: c.sig }
  }

  private async publishIfChanged (peer: PeerKey): Promise<void> {
    const files = await this.shared()
    if (JSON.stringify(files) === this.lastPublished) return
    this.refresh(peer, this.c.clock.now())
  }

  private async shared (): Promise<SharedFileInfo[]> {
    return (await this.init.catalog?.listShared() ?? []).slice(0, this.s.maxDescriptorsPerChild)
  }

  /** Upload our descriptors; resolves to what was sent (for change detection). */
  private async publish (peer: PeerKey): Promise<string> {
    const files = await this.shared()
    await this.c.net.request(peer, { type: 'publish', files })
    return JSON.stringify(files)
  }

  private disconnected (peer: PeerKey): void {
    this.helloed.delete(peer)
    const c = this.supers.get(peer)
    if (c !== undefined) c.connected = false
    if (this.children.delete(peer)) this.index.delete(peer)
    if (peer === this.parent) this.lost(peer, 'disconnected', this.c.clock.now())
  }

  // ---- lookups from this peer's API ----

  private whereis (name: string, reply: Reply<WhereResult>): void {
    if (this.role === 'super') {
      const e = lookup(this.dir, name, this.c.clock.now())
      if (e === undefined) reply.fail(new RelayError('not-found', `no peer named ${JSON.stringify(name)} in the directory`, { name }))
      else reply.ok({ name: e.name, peer: e.peer, addrs: e.addrs })
      return
    }
    const to = this.askTarget()
    if (to === undefined) { reply.fail(new RelayError('no-supernode', 'not attached to a supernode and none is connected')); return }
    this.c.net.request(to, { type: 'whereis', name }).then(res => {
      if (res.type === 'where' && res.entry !== undefined) reply.ok({ name: res.entry.name, peer: res.entry.peer, addrs: res.entry.addrs })
      else reply.fail(new RelayError('not-found', `no peer named ${JSON.stringify(name)} in the directory`, { name, supernode: to }))
    }, (err: Error) => reply.fail(relayErrorFromRemote(err.message, { supernode: to }) ?? err))
  }

  /**
   * A search through the supernode tier: a child asks its supernode; a supernode answers
   * from its own index and floods the tier itself.
   */
  private search (p: SearchParams, reply: Reply<TierAnswer>): void {
    const limit = Math.min(p.limit ?? this.s.maxHits, this.s.maxHits)
    if (p.keywords.length === 0) { reply.fail(new RelayError('bad-request', 'a search needs at least one word of letters or digits')); return }
    if (this.role === 'super') {
      this.tierQuery(p.keywords, p.ttl ?? this.s.tierTtl, limit, p.timeoutMs).then(a => reply.ok(a), (e: Error) => reply.fail(e))
      return
    }
    const to = this.askTarget()
    if (to === undefined) { reply.fail(new RelayError('no-supernode', 'not attached to a supernode and none is connected')); return }
    const timeoutMs = Math.min(p.timeoutMs, MAX_QUERY_TIMEOUT_MS)
    const msg: RelayMsg = { type: 'query', text: p.keywords.join(' '), ttl: Math.min(255, p.ttl ?? this.s.tierTtl), limit, timeoutMs }
    this.c.net.request(to, msg, { timeoutMs: timeoutMs + this.s.tierQueryTimeoutMs }).then(res => {
      if (res.type === 'hits') reply.ok({ guid: res.guid, hits: res.hits.map(h => ({ ...h, hops: h.hops + 1 })) })
      else reply.fail(new RelayError('bad-request', `supernode answered a query with ${res.type}`, { supernode: to }))
    }, (err: Error) => reply.fail(relayErrorFromRemote(err.message, { supernode: to }) ?? err))
  }

  /**
   * Run a search at the tier (we are a supernode): our own group index at once, then the
   * tier's answers through flood search's routing until the deadline or the limit.
   * Runs outside the mailbox: the tier actor asks us for holders while it floods.
   */
  private async tierQuery (keywords: string[], ttl: number, limit: number, timeoutMs: number): Promise<TierAnswer> {
    const local = searchHolders(await this.holders(), keywords, limit)
    const api = this.init.tierSearch?.()
    const tierTtl = Math.min(ttl, this.s.tierTtl)
    if (api === undefined || tierTtl < 1 || local.length >= limit || this.tier().length === 0) {
      return { guid: newGuid(this.c.random), hits: local }
    }
    const remote: TierHit[] = []
    let guid: Guid | undefined
    for await (const h of api.search(keywords, { ttl: tierTtl, timeoutMs: Math.max(1, Math.floor(timeoutMs * TIER_DEADLINE_SHARE)) })) {
      guid = h.guid
      // Hops between the holder's group leader and us: the leader answered for its child.
      remote.push({ file: h.file, peer: h.peer, addrs: h.addrs, hops: h.hops })
      if (local.length + remote.length >= limit) break
    }
    return { guid: guid ?? newGuid(this.c.random), hits: mergeHits([local, remote], limit) }
  }

  /** What we answer for: our children's uploads, and our own shared files. */
  private async holders (): Promise<Holder[]> {
    const out = holders(this.index, this.c.clock.now())
    const own = await this.shared().catch(() => [])
    if (own.length > 0) out.push({ peer: this.c.net.self, addrs: this.ownAddrs(), files: own })
    return out
  }

  /** Our supernode, or else any connected supernode. */
  private askTarget (): PeerKey | undefined {
    if (this.parent !== undefined) return this.parent
    const connected = new Set(this.c.net.connected())
    return [...this.supers.keys()].find(p => connected.has(p))
  }

  // ---- supernode: serving requests ----

  private async request (from: PeerKey, msg: RelayMsg, respond: { ok(m: RelayMsg): void, error(t: string): void }): Promise<void> {
    const fail = (e: RelayError): void => respond.error(remoteText(e))
    const now = this.c.clock.now()
    if (msg.type === 'hello') {
      if (msg.role === 'super') {
        this.learnSupernode(from, msg.addrs.length > 0 ? msg.addrs : this.c.net.addresses(from))
        if (this.role === 'super') this.syncTo(from, true)
      }
      respond.ok({ type: 'welcome', role: this.role, addrs: this.role === 'super' ? this.ownAddrs() : [], supernodes: this.supernodeList(from) })
      return
    }
    if (this.role !== 'super') { fail(new RelayError('not-supernode', 'this peer is not a supernode')); return }
    if (isCutOff(this.cutoff.get(from), now)) { fail(new RelayError('cut-off', 'cut off for flooding index updates', { peer: from })); return }
    switch (msg.type) {
      case 'attach': {
        const child = this.children.get(from) ?? { name: msg.name, addrs: msg.addrs, updates: [] }
        child.addrs = msg.addrs
        child.name = msg.name
        this.children.set(from, child)
        const idx = this.index.get(from)
        if (idx !== undefined) idx.addrs = msg.addrs
        if (msg.name !== '') {
          const signed = { name: msg.name, peer: from, addrs: msg.addrs, issuedAt: msg.issuedAt, sig: msg.sig }
          // Only a claim its owner signed enters the directory: others will check it again.
          if (this.init.signer === undefined || !await verifyClaim(this.init.signer, signed)) {
            const why = msg.sig.length === 0 ? 'is unsigned' : this.init.signer === undefined ? 'cannot be verified here (no signer)' : 'has a bad signature'
            this.c.logger.warn('name claim refused', { peer: from, name: msg.name, why })
            fail(new RelayError('bad-signature', `the claim on ${JSON.stringify(msg.name)} ${why}`, { name: msg.name, peer: from }))
            return
          }
          const r = claim(this.dir, signed, now, this.s.claimTtlMs)
          if (r.kind === 'taken') {
            fail(new RelayError('name-taken', `name ${JSON.stringify(msg.name)} belongs to ${r.owner}`, { name: msg.name, owner: r.owner }))
            return
          }
          this.replicate([r.entry])
          void this.saveDir()
        }
        respond.ok({ type: 'attached', supernodes: this.supernodeList() })
        return
      }
      case 'publish': {
        const child = this.children.get(from)
        if (child === undefined) { fail(new RelayError('bad-request', 'attach before publishing')); return }
        const d = admitUpdate(child.updates, now, this.s.maxUpdatesPerMinute)
        if (d.kind === 'cut-off') {
          this.cutOff(from, d.count)
          fail(new RelayError('cut-off', `${d.count} index updates within a minute exceed ${this.s.maxUpdatesPerMinute}`, { peer: from }))
          return
        }
        child.updates = d.times
        const files = msg.files.slice(0, this.s.maxDescriptorsPerChild)
        this.index.set(from, { files, addrs: child.addrs, expiresAt: now + this.s.claimTtlMs })
        respond.ok({ type: 'published', count: files.length })
        return
      }
      case 'query': {
        // Children search through us; supernodes reach each other over the tier search.
        if (!this.children.has(from)) { fail(new RelayError('bad-request', 'attach before searching', { peer: from })); return }
        if (!this.childQueries.allow(from, now)) {
          fail(new RelayError('rate-limited', `more than ${CHILD_QUERY_RATE_PER_SEC} searches per second`, { peer: from }))
          return
        }
        const keywords = queryKeywords(msg.text)
        if (keywords.length === 0) { fail(new RelayError('bad-request', 'a search needs at least one word of letters or digits')); return }
        this.tierQuery(keywords, msg.ttl, Math.min(msg.limit, this.s.maxHits), Math.min(msg.timeoutMs, MAX_QUERY_TIMEOUT_MS)).then(
          a => respond.ok({ type: 'hits', guid: a.guid, hits: a.hits }),
          (err: Error) => respond.error(err.message))
        return
      }
      case 'whereis': {
        const e = lookup(this.dir, msg.name, now)
        respond.ok(e === undefined ? { type: 'where' } : { type: 'where', entry: { name: e.name, peer: e.peer, addrs: e.addrs } })
        return
      }
      default:
        this.c.net.strike(from, `relay: ${msg.type} is not a request`)
        fail(new RelayError('bad-request', `${msg.type} is not a request`))
    }
  }

  private async message (from: PeerKey, msg: RelayMsg): Promise<void> {
    if (msg.type !== 'dir-sync') { this.c.net.strike(from, `relay: unexpected one-way ${msg.type}`); return }
    // Only supernodes replicate the directory; a child cannot write entries for others.
    if (this.role !== 'super' || !this.supers.has(from)) { this.c.net.strike(from, 'relay: dir-sync from a non-supernode'); return }
    // Every replicated entry is checked against its owner's key, not trusted because a
    // supernode sent it; what we already hold verbatim was checked when it arrived.
    const signer = this.init.signer
    const fresh = msg.entries.filter(e => !isKnown(this.dir, e))
    const ok = signer === undefined ? fresh.map(() => false) : await Promise.all(fresh.map(async e => await verifyClaim(signer, e)))
    const good = fresh.filter((_, i) => ok[i])
    const bad = fresh.length - good.length
    if (bad > 0) {
      this.c.logger.warn('replicated name claims refused', { supernode: from, refused: bad, of: msg.entries.length, why: signer === undefined ? 'no signer' : 'bad signature' })
      // An honest supernode verifies before it stores, so it never passes a forged claim on.
      if (signer !== undefined) this.c.net.strike(from, `relay: ${bad} mis-signed directory entries`)
    }
    const changed = merge(this.dir, good, this.c.clock.now(), this.s.claimTtlMs)
    if (changed.length > 0) await this.saveDir()
  }

  private cutOff (peer: PeerKey, count: number): void {
    const now = this.c.clock.now()
    this.cutoff.set(peer, now + this.s.cutoffMs)
    this.index.delete(peer)
    this.children.delete(peer)
    this.c.logger.warn('child cut off for flooding index updates', { peer, updates: count, forMs: this.s.cutoffMs })
    void this.c.net.disconnect(peer).catch(() => {})
  }

  // ---- directory replication ----

  private replicate (entries: DirEntry[]): void {
    const now = this.c.clock.now()
    const msg: RelayMsg = { type: 'dir-sync', entries: entries.map(e => toWire(e, now)) }
    for (const p of this.tier()) this.c.net.send(p, msg).catch(() => {})
  }

  private syncTo (peer: PeerKey, full: boolean): void {
    if (!full) return
    const now = this.c.clock.now()
    const entries = [...this.dir.values()].filter(e => e.expiresAt > now).map(e => toWire(e, now))
    if (entries.length === 0) return
    this.c.net.send(peer, { type: 'dir-sync', entries: entries.slice(0, 2000) }).catch(() => {})
  }

  private async saveDir (): Promise<void> {
    await putJson(this.c.store, DIR_KEY, [...this.dir.values()].map(toStored))
  }
}

export const relayActor = (init: RelayInit) => (components: ActorComponents<RelayCmd, RelayMsg>): RelayActor => new RelayActor(components, init)
