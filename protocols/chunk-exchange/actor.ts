import type { ActorComponents, Reply } from '../../node/kernel/actor.ts'
import type { Timer } from '../../node/ports/clock.ts'
import type { ProviderIndex, SharedFileInfo } from '../../node/contracts.ts'
import { asPeerKey, type BulkSource, type NetEvent, type PeerKey } from '../../node/ports/net.ts'
import { getJson, putJson } from '../../node/ports/store.ts'
import type { ChunksConfig } from './config.ts'
import { MAX_ADDRS_PER_PEER, MAX_SID, type ChunkMsg, type SwarmMsg } from './messages.ts'
import { ChunkError } from './errors.ts'
import { NetError } from '../../node/errors.ts'
import { chunkLength, chunkMatches, unseal, type Link, type SealedManifest } from './manifest.ts'
import { receiveManifest, serveManifest } from './manifest-transfer.ts'
import type { Progress } from './progress.ts'
import type { OpenStorage, StorageSpec } from './storage.ts'
import { Swarm, type SwarmConfig } from './swarm.ts'
import { TrackerTable } from './tracker.ts'
import { ManifestSources } from './manifest-sources.ts'
import { ENOUGH_PEERS_SHARE, MANIFEST_RETRY_BASE_MS, MANIFEST_RETRY_MAX_MS, MANIFEST_BUSY, MANIFEST_UPLOADS_AT_ONCE, PROGRESS_INTERVAL_MS, TICK_INTERVAL_MS, UPLOAD_BUDGET_MIN, UPLOAD_QUEUE_TARGET_MS, UPLOAD_RATE_WINDOW_MS } from './constants.ts'
import { RateMeter } from './rate.ts'
import { snubAfterMs } from './snub.ts'
import { UploadLedger } from './upload-ledger.ts'

export type ProgressListener = (p: Progress) => void

export interface ChunksStatus {
  transfers: Progress[]
  tracker?: { links: number, peers: number }
  bannedPeers: number
  /** Pieces handed to the transport and not yet taken, and how many may be. */
  uploads: { inFlight: number, budget: number }
}

/** Commands of the chunk-exchange actor, plus what the net and its own timers deliver. */
export type ChunkActorMsg =
  | NetEvent<ChunkMsg>
  | { type: 'tick' }
  | { type: 'rechoke' }
  | { type: 'announce' }
  /** Start sharing or downloading. With `sealed` we know the manifest (sharing, or a link we were given the manifest of). */
  | { type: 'add', link: Link, sealed?: SealedManifest, spec: StorageSpec, seed: boolean, content?: Uint8Array, reply: Reply<Progress> }
  | { type: 'watch', link: Link, listener: ProgressListener, reply: Reply<() => void> }
  | { type: 'unwatch', link: Link, listener: ProgressListener }
  | { type: 'status', reply: Reply<ChunksStatus> }
  | { type: 'list', reply: Reply<SharedFileInfo[]> }
  | { type: 'stop', link: Link, reply: Reply<boolean> }
  | { type: 'manifest-found', link: Link, sealed: SealedManifest, from: PeerKey }
  | { type: 'peers-found', link: Link, peers: Array<{ peer: PeerKey, addrs: string[] }> }
  | { type: 'dialed', link: Link, peer: PeerKey }
  | { type: 'piece-sent', link: Link, peer: PeerKey, bytes: number }
  /** The backoff after a failed manifest fetch ran out: ask the known peers again. */
  | { type: 'manifest-retry', link: Link }
  /** `busy`: the peer has the manifest but turned us away for now (MANIFEST_UPLOADS_AT_ONCE). */
  | { type: 'manifest-failed', link: Link, peer: PeerKey, busy?: boolean }
  /** Disk work a swarm ran off the mailbox settled: its continuation runs here, in turn (SwarmIo.background). */
  | { type: 'io-done', step: () => Promise<void> | void }

export interface ChunkActorInit {
  config: ChunksConfig
  openStorage: OpenStorage
  /** The DHT's provider index, when a DHT module is installed. */
  providers?: () => ProviderIndex | undefined
}

/** What is persisted per transfer so a restart (or kill -9) resumes it. */
interface TransferRecord {
  link: Link
  spec: StorageSpec
  /** Keep seeding after completion. */
  seed: boolean
  /** Finished and not seeding: nothing to resume. */
  done: boolean
}

interface Transfer {
  record: TransferRecord
  swarm?: Swarm
  /** Peers known to be in the swarm, before and after the manifest arrives. */
  candidates: Map<PeerKey, string[]>
  /** Whom to ask for the manifest, and who was asked. */
  sources: ManifestSources
  listeners: Set<ProgressListener>
  lastProgressAt: number
  final?: Progress
  /** Manifest fetches failed in a row (sets the retry backoff), and the pending retry. */
  manifestFailures: number
  manifestRetry?: Timer
}

/**
 * The chunk-exchange actor: one per peer, holding one Swarm per link (shared or being
 * downloaded), the tracker role when configured, and peer discovery (tracker, DHT,
 * connected peers). Network waits (dials, manifest fetches, announces) run detached and
 * post their results back to the mailbox, so one slow peer never stalls the others.
 */
export class ChunkActor {
  private readonly c: ActorComponents<ChunkActorMsg, ChunkMsg>
  private readonly init: ChunkActorInit
  private readonly cfg: ChunksConfig
  private readonly transfers = new Map<Link, Transfer>()
  /** Remote peer -> its sid -> our swarm. */
  private readonly remote = new Map<PeerKey, Map<number, Swarm>>()
  private readonly banned = new Set<PeerKey>()
  /** Transfers finished without --seed (swarm left): kept for status until restart. */
  private readonly finished = new Map<Link, Progress>()
  private readonly notTrackers = new Set<PeerKey>()
  private readonly tracker: TrackerTable | undefined
  private nextSid: number
  /** Pieces handed to the transport and not yet taken, over all swarms. */
  private readonly uploads = new UploadLedger()
  private readonly uploadRate = new RateMeter(UPLOAD_RATE_WINDOW_MS)
  /** Manifests being streamed to askers now (MANIFEST_UPLOADS_AT_ONCE). */
  private manifestUploads = 0

  constructor (components: ActorComponents<ChunkActorMsg, ChunkMsg>, init: ChunkActorInit) {
    this.c = components
    this.init = init
    this.cfg = init.config
    this.tracker = init.config.tracker ? new TrackerTable(init.config.trackerTtlMs) : undefined
    this.nextSid = 1 + components.random.int(1 << 20)
  }

  private swarmConfig (): SwarmConfig {
    const c = this.cfg
    return {
      blockSize: c.blockSize,
      uploadSlots: c.uploadSlots,
      optimisticEvery: Math.max(1, Math.round(c.optimisticUnchokeIntervalMs / c.rechokeIntervalMs)),
      pipelineDepth: c.pipelineDepth,
      randomFirstChunks: c.randomFirstChunks,
      requestTimeoutMs: c.requestTimeoutMs,
      keepAliveIntervalMs: c.keepAliveIntervalMs,
      maxSwarmPeers: c.maxSwarmPeers,
      banAfterBadChunks: c.banAfterBadChunks,
      rateWindowMs: c.rateWindowMs,
      uploadCacheChunks: c.uploadCacheChunks,
      uploadsInFlight: c.uploadsInFlight,
      rechokeIntervalMs: c.rechokeIntervalMs,
      upload: c.upload
    }
  }

  async start (): Promise<void> {
    const { clock, self } = this.c
    clock.setPeriodic(TICK_INTERVAL_MS, () => self.tell({ type: 'tick' }))
    clock.setPeriodic(this.cfg.rechokeIntervalMs, () => self.tell({ type: 'rechoke' }))
    clock.setPeriodic(this.cfg.announceIntervalMs, () => self.tell({ type: 'announce' }))
    for await (const [, v] of this.c.store.entries({ prefix: 't/' })) {
      const rec = JSON.parse(new TextDecoder().decode(v)) as TransferRecord
      if (rec.done) continue
      try {
        await this.resume(rec)
      } catch (err) {
        this.c.logger.error('cannot resume transfer', { link: rec.link, error: (err as Error).message })
      }
    }
  }

  private async resume (rec: TransferRecord): Promise<void> {
    const t = this.newTransfer(rec)
    const bytes = await this.c.store.get(`m/${rec.link}`)
    if (bytes !== undefined) await this.openSwarm(t, unseal(rec.link, bytes))
    this.c.logger.info('resumed transfer', { link: rec.link, have: t.swarm?.picker.have.count ?? 0, of: t.swarm?.picker.have.length })
    this.discover(t)
  }

  async stop (): Promise<void> {
    for (const t of this.transfers.values()) {
      t.manifestRetry?.cancel()
      await t.swarm?.close()
    }
    this.transfers.clear()
  }

  async receive (m: ChunkActorMsg): Promise<void> {
    switch (m.type) {
      case 'net:message': await this.onMessage(m.from, m.msg); break
      case 'net:request': this.onRequest(m.from, m.msg, m.respond); break
      case 'net:bulk': this.onBulk(m.from, m.header, m.source); break
      case 'net:connect': this.onConnect(m.peer); break
      case 'net:disconnect': this.onDisconnect(m.peer); break
      case 'tick': this.onTick(); break
      case 'rechoke': for (const t of this.transfers.values()) t.swarm?.rechoke(); break
      case 'announce':
        this.tracker?.expire(this.c.clock.now())
        for (const t of this.transfers.values()) this.discover(t)
        break
      case 'add': await this.add(m.link, m.sealed, m.spec, m.seed, m.content, m.reply); break
      case 'watch': this.watch(m.link, m.listener, m.reply); break
      case 'unwatch': this.transfers.get(m.link)?.listeners.delete(m.listener); break
      case 'status': m.reply.ok(this.status()); break
      case 'list': m.reply.ok(this.list()); break
      case 'stop': m.reply.ok(await this.stopTransfer(m.link)); break
      case 'manifest-found': await this.onManifest(m.link, m.sealed, m.from); break
      case 'peers-found': this.onPeers(m.link, m.peers); break
      case 'dialed': this.transfers.get(m.link)?.swarm?.addPeer(m.peer); break
      case 'piece-sent': this.onPieceSent(m.link, m.peer, m.bytes); break
      case 'manifest-retry': this.retryManifest(m.link); break
      case 'manifest-failed': this.onManifestFailed(m.link, m.peer, m.busy === true); break
      case 'io-done': await m.step(); break
    }
  }

  // ---- commands ----

  private newTransfer (rec: TransferRecord): Transfer {
    const t: Transfer = { record: rec, candidates: new Map(), sources: new ManifestSources(), listeners: new Set(), lastProgressAt: -Infinity, manifestFailures: 0 }
    this.transfers.set(rec.link, t)
    return t
  }

  private async add (link: Link, sealed: SealedManifest | undefined, spec: StorageSpec, seed: boolean, content: Uint8Array | undefined, reply: Reply<Progress>): Promise<void> {
    let t = this.transfers.get(link)
    if (t !== undefined && t.record.done) {
      // Finished and leaving: a new get (maybe to another path) starts afresh.
      await t.swarm?.close()
      this.transfers.delete(link)
      t = undefined
    }
    if (t !== undefined) {
      if (seed && !t.record.seed) { t.record.seed = true; await this.persist(t) }
      reply.ok(this.progressOf(t))
      return
    }
    this.finished.delete(link)
    t = this.newTransfer({ link, spec, seed, done: false })
    try {
      await this.persist(t)
      if (sealed !== undefined) {
        await this.c.store.put(`m/${link}`, sealed.bytes)
        await this.openSwarm(t, sealed, content)
      }
    } catch (err) {
      this.transfers.delete(link)
      await this.c.store.del(`t/${link}`)
      reply.fail(err instanceof ChunkError ? err : new ChunkError('storage', `cannot open storage for ${link}: ${(err as Error).message}`, { link }, { cause: err }))
      return
    }
    reply.ok(this.progressOf(t))
    this.discover(t)
  }

  private async persist (t: Transfer): Promise<void> {
    await putJson(this.c.store, `t/${t.record.link}`, t.record)
  }

  private async openSwarm (t: Transfer, sealed: SealedManifest, content?: Uint8Array): Promise<Swarm> {
    const storage = await this.init.openStorage(sealed.link, sealed.manifest, t.record.spec, this.c.store.sublevel(`d-${sealed.link}`))
    if (content !== undefined) {
      const m = sealed.manifest
      for (let i = 0; i < m.hashes.length; i++) {
        if (storage.have.has(i)) continue
        const chunk = content.subarray(i * m.chunkSize, i * m.chunkSize + chunkLength(m, i))
        if (!chunkMatches(m, i, chunk)) throw new ChunkError('hash-mismatch', `content does not match the manifest at chunk ${i}`, { link: sealed.link, index: i })
        await storage.write(i, chunk.slice())
      }
      if (storage.have.complete) await storage.finish()
    }
    const sid = this.allocSid()
    const swarm = new Swarm(sealed, sid, storage, this.swarmConfig(), {
      now: () => this.c.clock.now(),
      random: this.c.random,
      logger: this.c.logger,
      send: async (peer, msg) => { await this.c.net.send(peer, msg) },
      sendPiece: (peer, msg) => {
        const link = sealed.link
        const bytes = msg.data.length
        this.uploads.sent(peer, this.c.clock.now())
        const report = (sent: number): void => { this.c.self.put({ type: 'piece-sent', link, peer, bytes: sent }).catch(() => {}) }
        this.c.net.send(peer, msg).then(() => { report(bytes) }, (err: Error) => {
          this.c.logger.debug('piece not sent', { peer, error: err.message })
          report(0)
        })
      },
      strike: (peer, reason) => { this.c.net.strike(peer, reason) },
      uploadSlotFree: () => this.uploads.total < this.uploadBudget(),
      sessionReset: (peer) => { this.uploads.release(peer) },
      ban: (peer, reason) => { this.ban(peer, reason) },
      completed: () => { this.onCompleted(t) },
      background: (work, then) => {
        // `put` waits for mailbox room: a completion is never dropped while the actor runs.
        void work.then(r => r, (err: unknown) => err instanceof Error ? err : new Error(String(err))).then(async r => {
          await this.c.self.put({ type: 'io-done', step: async () => { await then(r) } })
        }).catch((err: Error) => { this.c.logger.debug('disk work settled after the actor stopped', { link: sealed.link, error: err.message }) })
      }
    }, { superSeed: this.cfg.superSeed })
    t.swarm = swarm
    const wasComplete = swarm.complete
    // Only connected peers: a candidate named by a tracker is dialled first (onManifest),
    // since its handshake cannot reach it before that (libp2p knows no address for it).
    for (const peer of this.c.net.connected()) swarm.addPeer(peer)
    if (wasComplete && t.record.spec.kind === 'file' && !t.record.spec.source) swarm.state = 'seeding'
    this.emit(t, true)
    return swarm
  }

  /**
   * Pieces the transport may hold at once, over all swarms: what we upload in
   * UPLOAD_QUEUE_TARGET_MS at the measured rate, at least UPLOAD_BUDGET_MIN. Under a rate
   * cap this keeps our requests and haves from queueing behind seconds of pieces; on a fast
   * link the budget grows with the rate it enables.
   */
  private uploadBudget (): number {
    const perMs = this.uploadRate.rate(this.c.clock.now()) / 1000
    return Math.max(UPLOAD_BUDGET_MIN, Math.ceil(perMs * UPLOAD_QUEUE_TARGET_MS / this.cfg.blockSize) + 1)
  }

  private onPieceSent (link: Link, peer: PeerKey, bytes: number): void {
    this.uploads.confirmed(peer, this.c.clock.now())
    if (bytes > 0) this.uploadRate.add(bytes, this.c.clock.now())
    this.transfers.get(link)?.swarm?.pieceSent(peer, bytes)
    for (const t of this.transfers.values()) {
      if (this.uploads.total >= this.uploadBudget()) break
      t.swarm?.pumpAll()
    }
    if (this.uploads.total < this.uploadBudget()) for (const t of this.transfers.values()) t.swarm?.offerWhileIdle()
  }

  private allocSid (): number {
    const sid = this.nextSid
    this.nextSid = this.nextSid >= MAX_SID ? 1 : this.nextSid + 1
    return sid
  }

  private onCompleted (t: Transfer): void {
    this.c.logger.info('transfer complete and verified', { link: t.record.link, location: t.swarm?.storage.location })
    const s = t.swarm
    if (s === undefined) return
    if (!t.record.seed) {
      s.state = 'complete'
      this.emit(t, true)
      t.final = s.progress()
      t.record.done = true
      void this.persist(t).catch((err: Error) => { this.c.logger.error('cannot persist transfer state', { error: err.message }) })
      // Leaving happens on the next tick, after this chunk's `have`s went out.
      return
    }
    // Tell the trackers at once that we seed (BitTorrent's `completed` event): they stop naming
    // us to seeds, and name us leechers to fill the places finished neighbours leave.
    this.discover(t)
    this.emit(t, true)
  }

  private watch (link: Link, listener: ProgressListener, reply: Reply<() => void>): void {
    const t = this.transfers.get(link)
    if (t === undefined) { reply.fail(new ChunkError('unknown-swarm', `no transfer for ${link}`, { link })); return }
    t.listeners.add(listener)
    listener(this.progressOf(t))
    reply.ok(() => { this.c.self.tell({ type: 'unwatch', link, listener }) })
  }

  private async stopTransfer (link: Link): Promise<boolean> {
    const t = this.transfers.get(link)
    if (t === undefined) return false
    t.manifestRetry?.cancel()
    await t.swarm?.close()
    this.transfers.delete(link)
    await this.c.store.del(`t/${link}`)
    const p = { ...this.progressOf(t), state: 'stopped' as const }
    for (const l of t.listeners) l(p)
    t.listeners.clear()
    return true
  }

  private ban (peer: PeerKey, reason: string): void {
    this.c.logger.warn('banned peer for this session: bad chunk data', { peer, reason })
    this.banned.add(peer)
    this.uploads.release(peer)
    for (const t of this.transfers.values()) {
      t.sources.remove(peer)
      t.swarm?.peerGone(peer)
    }
    this.remote.delete(peer)
    void this.c.net.disconnect(peer).catch(() => {})
  }

  // ---- progress ----

  private progressOf (t: Transfer): Progress {
    if (t.final !== undefined) return t.final
    if (t.swarm !== undefined) return t.swarm.progress()
    return {
      link: t.record.link, name: '', size: 0, state: 'finding', chunks: 0, chunksHave: 0, bytesHave: 0, downRate: 0, upRate: 0,
      downloaded: 0, uploaded: 0, peers: t.candidates.size, etaSec: null, location: t.record.spec.kind === 'file' ? t.record.spec.path : 'store'
    }
  }

  private emit (t: Transfer, force: boolean): void {
    if (t.listeners.size === 0) return
    const now = this.c.clock.now()
    if (!force && now - t.lastProgressAt < PROGRESS_INTERVAL_MS) return
    t.lastProgressAt = now
    const p = this.progressOf(t)
    for (const l of t.listeners) l(p)
  }

  /** Also what `peerhive status` shows for this actor. */
  status (): ChunksStatus {
    return {
      transfers: [...[...this.transfers.values()].map(t => this.progressOf(t)), ...this.finished.values()],
      ...(this.tracker !== undefined ? { tracker: { links: this.tracker.links(), peers: this.tracker.size } } : {}),
      bannedPeers: this.banned.size,
      uploads: { inFlight: this.uploads.total, budget: this.uploadBudget() }
    }
  }

  private list (): SharedFileInfo[] {
    const out: SharedFileInfo[] = []
    for (const t of this.transfers.values()) {
      const s = t.swarm
      if (s !== undefined && s.complete) out.push({ link: s.link, name: s.sealed.manifest.name, size: s.sealed.manifest.size })
    }
    return out
  }

  private onTick (): void {
    const now = this.c.clock.now()
    // The deadline grows with the peer's usual wait: a fixed 30 s released the budget of
    // healthy slow peers, the transport queues grew, and cancels and chokes came too late.
    for (const peer of this.uploads.stalled(now, gap => snubAfterMs(this.cfg.requestTimeoutMs, gap))) {
      this.c.logger.debug('pieces to a peer unconfirmed too long: released from the upload budget', { peer })
      this.uploads.release(peer)
    }
    for (const [link, t] of [...this.transfers]) {
      const s = t.swarm
      if (s === undefined) continue
      if (t.record.done) {
        // Finished without --seed: leave the swarm.
        void s.close().catch(() => {})
        this.transfers.delete(link)
        if (t.final !== undefined) this.finished.set(link, t.final)
        continue
      }
      s.tick()
      if (this.uploads.total < this.uploadBudget()) s.offerWhileIdle()
      this.emit(t, false)
    }
  }

  // ---- discovery ----

  /**
   * Announce to trackers (unless `tracker` is false), ask the DHT, and (no manifest yet) ask
   * connected peers for it.
   */
  private discover (t: Transfer, tracker = true): void {
    const link = t.record.link
    const seed = t.swarm?.complete === true
    const self = this.c.net.self
    if (this.tracker !== undefined && tracker) {
      const peers = this.tracker.announce(link, self, this.ownAddrs(), seed, this.c.clock.now(), this.cfg.trackerNumwant, this.c.random)
      this.onPeers(link, peers.map(p => ({ peer: p.peer, addrs: p.addrs })))
    }
    if (tracker) void this.announce(t, seed)
    const dht = this.init.providers?.()
    if (dht !== undefined) {
      void dht.provide(link).catch((err: Error) => { this.c.logger.debug('dht provide failed', { link, error: err.message }) })
      void dht.findProviders(link, { limit: this.cfg.trackerNumwant }).then(
        recs => { this.c.self.tell({ type: 'peers-found', link, peers: recs.map(r => ({ peer: r.peer, addrs: r.addrs })) }) },
        (err: Error) => { this.c.logger.debug('dht findProviders failed', { link, error: err.message }) })
    }
    if (t.swarm === undefined) {
      for (const peer of this.c.net.connected()) if (!this.banned.has(peer)) t.sources.add(peer)
      this.askForManifest(t)
    }
  }

  private ownAddrs (): string[] {
    return this.c.net.addresses().slice(0, MAX_ADDRS_PER_PEER)
  }

  private async trackerTargets (): Promise<PeerKey[]> {
    if (this.cfg.trackers.length === 0) return this.c.net.connected().filter(p => !this.notTrackers.has(p) && !this.banned.has(p))
    const out: PeerKey[] = []
    for (const addr of this.cfg.trackers) {
      try {
        const k = await this.c.net.connect(addr)
        if (k !== this.c.net.self) out.push(k)
      } catch (err) {
        this.c.logger.debug('tracker unreachable', { tracker: addr, error: (err as Error).message })
      }
    }
    return out
  }

  /**
   * Peers to ask a tracker for: none while the swarm has ENOUGH_PEERS_SHARE of its places
   * answered (newcomers find us through their own announces), else the places left, up to
   * trackerNumwant. A periodic re-announce asking for 50 peers every time cost a tracker that
   * is also the 10 KiB/s textbook seed a peer list per leecher per period: 44% of its upload
   * at N = 1,000, while the swarm still needed its chunks.
   */
  private peersWanted (t: Transfer): number {
    const s = t.swarm
    if (s === undefined) return this.cfg.trackerNumwant
    if (s.readyPeers >= ENOUGH_PEERS_SHARE * this.cfg.maxSwarmPeers) return 0
    return Math.max(0, Math.min(this.cfg.trackerNumwant, this.cfg.maxSwarmPeers - s.peers.size))
  }

  private async announce (t: Transfer, seed: boolean): Promise<void> {
    const link = t.record.link
    const targets = await this.trackerTargets()
    await Promise.all(targets.map(async target => {
      try {
        const res = await this.c.net.request(target, { type: 'announce', link, seed, addrs: this.ownAddrs(), want: this.peersWanted(t) }, { timeoutMs: this.cfg.controlRequestTimeoutMs })
        if (res.type !== 'peers') throw new ChunkError('not-found', `tracker answered ${res.type}`)
        this.c.self.tell({ type: 'peers-found', link, peers: res.peers.map(p => ({ peer: asPeerKey(p.peer), addrs: p.addrs })) })
      } catch (err) {
        // Only an answer marks a peer as no tracker: a timeout (a busy tracker behind a
        // saturated uplink, 100 leechers announcing at once) left the peer that IS the
        // tracker out of every later announce, and late joiners never learnt of more than
        // their few bootstrap neighbours.
        const answered = !(err instanceof NetError) || err.code === 'remote-error'
        if (this.cfg.trackers.length === 0 && answered) this.notTrackers.add(target)
        else this.c.logger.debug('announce failed', { tracker: target, link, error: (err as Error).message })
      }
    }))
  }

  private onPeers (link: Link, peers: Array<{ peer: PeerKey, addrs: string[] }>): void {
    const t = this.transfers.get(link)
    if (t === undefined) return
    const self = this.c.net.self
    for (const { peer, addrs } of peers) {
      if (peer === self || this.banned.has(peer)) continue
      t.candidates.set(peer, addrs)
      if (t.swarm === undefined) { t.sources.add(peer, addrs); continue }
      if (t.swarm.peers.has(peer)) continue
      this.dial(link, peer, addrs)
    }
    if (t.swarm === undefined) this.askForManifest(t)
  }

  private dial (link: Link, peer: PeerKey, addrs: string[]): void {
    if (this.c.net.connected().includes(peer)) { this.c.self.tell({ type: 'dialed', link, peer }); return }
    void this.c.net.connect(addrs.length > 0 ? addrs : peer).then(
      key => { this.c.self.tell({ type: 'dialed', link, peer: key }) },
      (err: Error) => { this.c.logger.debug('cannot dial swarm peer', { peer, link, error: err.message }) })
  }

  /** Ask the next source for the manifest while ManifestSources allows; a new round after a backoff once all failed. */
  private askForManifest (t: Transfer): void {
    if (t.swarm !== undefined || this.transfers.get(t.record.link) !== t) return
    for (let s = t.sources.next(this.c.random); s !== undefined; s = t.sources.next(this.c.random)) this.fetchManifest(t, s.peer, s.addrs)
    if (t.sources.exhausted) this.scheduleManifestRetry(t)
  }

  private fetchManifest (t: Transfer, peer: PeerKey, addrs: string[]): void {
    const link = t.record.link
    void (async () => {
      if (!this.c.net.connected().includes(peer) && addrs.length > 0) await this.c.net.connect(addrs)
      // The answer comes once the manifest itself arrived on a bulk stream (onBulk).
      const res = await this.c.net.request(peer, { type: 'manifest-get', link }, { timeoutMs: this.cfg.controlRequestTimeoutMs })
      if (res.type !== 'manifest') throw new ChunkError('bad-manifest', `peer answered ${res.type} to manifest-get`)
    })().catch((err: Error) => {
      this.c.logger.debug('manifest fetch failed', { peer, link, error: err.message })
      const busy = err instanceof NetError && err.code === 'remote-error' && err.message.startsWith(MANIFEST_BUSY)
      this.c.self.tell({ type: 'manifest-failed', link, peer, busy })
    })
  }

  /** Ask the next source; once every one failed, all of them again after a backoff. */
  private onManifestFailed (link: Link, peer: PeerKey, busy: boolean): void {
    const t = this.transfers.get(link)
    if (t === undefined) return
    t.sources.failed(peer, busy)
    this.askForManifest(t)
  }

  /**
   * After every source failed: a new round of asks, after a backoff doubling per round, or
   * after the base delay when a holder only said it was busy (it will have room soon; doubling
   * then left newcomers waiting up to 30 s while the seed had turned to pieces).
   */
  private scheduleManifestRetry (t: Transfer): void {
    if (t.swarm !== undefined || t.manifestRetry !== undefined || this.transfers.get(t.record.link) !== t) return
    const busy = t.sources.holderBusy
    const delay = busy ? MANIFEST_RETRY_BASE_MS : Math.min(MANIFEST_RETRY_MAX_MS, MANIFEST_RETRY_BASE_MS * 2 ** Math.min(t.manifestFailures, 16))
    if (!busy) t.manifestFailures++
    const link = t.record.link
    t.manifestRetry = this.c.clock.setTimer(delay, () => { this.c.self.tell({ type: 'manifest-retry', link }) })
  }

  private retryManifest (link: Link): void {
    const t = this.transfers.get(link)
    if (t === undefined) return
    t.manifestRetry = undefined
    if (t.swarm !== undefined) return
    this.c.logger.debug('retrying the manifest fetch', { link, candidates: t.candidates.size, failures: t.manifestFailures })
    t.sources.newRound()
    // The DHT may know providers we have not heard of; connected peers are asked too. The
    // tracker is asked again only when it named nobody: its next periodic announce is soon
    // enough otherwise, and a newcomer re-announcing per failed round cost a tracker that is
    // also the seed a peer list each time.
    this.discover(t, t.sources.size === 0)
  }

  /** A bulk stream: the only one this protocol uses carries a manifest we asked for. */
  private onBulk (from: PeerKey, header: ChunkMsg, source: BulkSource): void {
    if (header.type !== 'manifest') {
      this.c.net.strike(from, `${header.type} sent as a bulk stream header`)
      source.abort(`unexpected bulk stream ${header.type}`)
      return
    }
    const link = header.link
    const t = this.transfers.get(link)
    if (t === undefined || t.swarm !== undefined || !t.sources.wasAsked(from) || this.banned.has(from)) {
      source.abort('manifest not wanted')
      return
    }
    void receiveManifest(source, link, header.size).then(
      sealed => { this.c.self.tell({ type: 'manifest-found', link, sealed, from }) },
      (err: Error) => {
        if (err instanceof ChunkError) this.c.net.strike(from, err.message)
        this.c.logger.debug('manifest transfer failed', { peer: from, link, error: err.message })
        // Its request may still succeed (a liar answers ok after a wrong manifest): the next source is asked now.
        this.c.self.tell({ type: 'manifest-failed', link, peer: from })
      })
  }

  private async onManifest (link: Link, sealed: SealedManifest, from: PeerKey): Promise<void> {
    const t = this.transfers.get(link)
    if (t === undefined || t.swarm !== undefined) return
    await this.c.store.put(`m/${link}`, sealed.bytes)
    t.candidates.set(from, t.candidates.get(from) ?? [])
    let swarm: Swarm
    try {
      swarm = await this.openSwarm(t, sealed)
    } catch (err) {
      const p = { ...this.progressOf(t), state: 'failed' as const, error: (err as Error).message }
      t.final = p
      this.c.logger.error('cannot open storage', { link, error: (err as Error).message })
      for (const l of t.listeners) l(p)
      return
    }
    t.manifestRetry?.cancel()
    t.manifestRetry = undefined
    // openSwarm handed the swarm the peers already connected; every other candidate is
    // dialled and joins once connected ('dialed'). No second announce: it would name as many
    // again, and a tracker that is also the seed paid a peer list per newcomer twice.
    for (const [peer, addrs] of t.candidates) if (!swarm.peers.has(peer)) this.dial(link, peer, addrs)
    this.discover(t, false)
  }

  // ---- net ----

  private onConnect (peer: PeerKey): void {
    if (this.banned.has(peer)) return
    for (const t of this.transfers.values()) {
      if (t.swarm !== undefined && !t.record.done) t.swarm.addPeer(peer)
      else if (t.swarm === undefined) { t.sources.add(peer); this.askForManifest(t) }
    }
  }

  private onDisconnect (peer: PeerKey): void {
    this.uploads.forget(peer)
    this.remote.delete(peer)
    for (const t of this.transfers.values()) t.swarm?.peerGone(peer)
  }

  private async onMessage (from: PeerKey, msg: ChunkMsg): Promise<void> {
    if (this.banned.has(from)) return
    switch (msg.type) {
      case 'handshake': {
        const t = this.transfers.get(msg.link)
        if (t === undefined || t.record.done) return
        if (t.swarm === undefined) {
          // Only a peer that has the manifest sends a handshake for the link: ask it first.
          if (!t.candidates.has(from)) t.candidates.set(from, [])
          t.sources.add(from, [], true)
          this.askForManifest(t)
          return
        }
        if (t.swarm.onHandshake(from, msg.sid)) {
          let m = this.remote.get(from)
          if (m === undefined) { m = new Map(); this.remote.set(from, m) }
          m.set(msg.sid, t.swarm)
        }
        return
      }
      case 'keepalive': return
      case 'leave': {
        const s = this.remote.get(from)?.get(msg.sid)
        this.remote.get(from)?.delete(msg.sid)
        s?.peerGone(from)
        return
      }
      case 'manifest-get':
      case 'manifest':
      case 'announce':
      case 'peers':
        this.c.net.strike(from, `${msg.type} sent as a one-way message`)
        return
      default: {
        const s = this.remote.get(from)?.get(msg.sid)
        if (s === undefined) {
          this.c.logger.debug('message for an unknown swarm session ignored', { peer: from, sid: msg.sid, type: msg.type })
          return
        }
        await s.handle(from, msg as SwarmMsg)
        const t = this.transfers.get(s.link)
        if (t !== undefined && msg.type === 'piece') this.emit(t, false)
      }
    }
  }

  private onRequest (from: PeerKey, msg: ChunkMsg, respond: { ok(m: ChunkMsg): void, error(e: string): void }): void {
    if (this.banned.has(from)) { respond.error('banned'); return }
    switch (msg.type) {
      case 'manifest-get': {
        const s = this.transfers.get(msg.link)?.swarm
        if (s === undefined) { respond.error(`no manifest for ${msg.link}`); return }
        if (this.manifestUploads >= MANIFEST_UPLOADS_AT_ONCE) { respond.error(`${MANIFEST_BUSY}: serving other manifests`); return }
        const { link, bytes } = s.sealed
        this.manifestUploads++
        // Answered once the requester has read the manifest off the bulk stream.
        serveManifest(this.c.net, from, link, bytes).then(
          () => { respond.ok({ type: 'manifest', link, size: bytes.length }) },
          (err: Error) => { respond.error(`manifest transfer failed: ${err.message}`) }).finally(() => { this.manifestUploads-- })
        return
      }
      case 'announce': {
        if (this.tracker === undefined) { respond.error('not a tracker'); return }
        const now = this.c.clock.now()
        const addrs = msg.addrs.length > 0 ? msg.addrs : this.c.net.addresses(from).slice(0, MAX_ADDRS_PER_PEER)
        const numwant = Math.min(msg.want, this.cfg.trackerNumwant)
        const peers = this.tracker.announce(msg.link, from, addrs, msg.seed, now, numwant, this.c.random)
        // The tracker is a swarm member too when it shares or fetches the link.
        const own = this.transfers.get(msg.link)
        const list = peers.map(p => ({ peer: p.peer as string, addrs: p.addrs }))
        if (own !== undefined) list.unshift({ peer: this.c.net.self, addrs: this.ownAddrs() })
        respond.ok({ type: 'peers', peers: list.slice(0, numwant) })
        const swarm = own?.swarm
        if (swarm !== undefined && !swarm.peers.has(from)) this.dial(msg.link, from, addrs)
        return
      }
      default:
        this.c.net.strike(from, `${msg.type} is not a request`)
        respond.error(`${msg.type} is not a request`)
    }
  }
}

export const chunkActor = (init: ChunkActorInit) => (components: ActorComponents<ChunkActorMsg, ChunkMsg>) => new ChunkActor(components, init)

/** For tests and tooling: the JSON persisted per transfer. */
export async function readTransferRecord (store: ActorComponents<never>['store'], link: Link): Promise<TransferRecord | undefined> {
  return await getJson<TransferRecord>(store, `t/${link}`)
}

