import type { Logger } from '../../node/ports/logger.ts'
import type { PeerKey } from '../../node/ports/net.ts'
import type { Random } from '../../node/ports/random.ts'
import { Bitfield } from './bitfield.ts'
import { admitNewcomer, rechoke, serveOrder, type ChokeCandidate } from './choker.ts'
import { ENDGAME_BLOCKS, ENDGAME_COPIES, HANDSHAKE_TIMEOUT_MS, MAX_BLOCK_SIZE, READ_AHEAD_CHUNKS, STEAL_RATE_RATIO, SUPER_SEED_OFFER_BLOCKS, SUPER_SEED_OFFERS_PER_PEER, SUPER_SEED_SPREAD, SUPER_SEED_UNSPREAD_LIMIT } from './constants.ts'
import { chunkLength, chunkMatches, type SealedManifest } from './manifest.ts'
import type { ChunkMsg, SwarmMsg } from './messages.ts'
import { Picker, type BlockRef } from './picker.ts'
import type { Progress, TransferState } from './progress.ts'
import { RateMeter } from './rate.ts'
import type { ChunkStorage } from './storage.ts'
import { pipelineDepth } from './pipeline.ts'
import { nextGap, snubAfterMs } from './snub.ts'
import { pickOffer } from './super-seed.ts'
import { SwarmPeer } from './swarm-peer.ts'
import { invalidFor } from './wire-checks.ts'

/**
 * How many times SUPER_SEED_OFFERS_PER_PEER is taken so that a peer's offers cover
 * SUPER_SEED_OFFER_BLOCKS blocks: 1 for chunks of four or more blocks, 4 for one-block
 * chunks (see the constant for why). The unspread limit stays in chunks: scaling it too let
 * a free-rider take four times as many chunks from the seed before it counted as one.
 */
export function superSeedScale (blocksPerChunk: number): number {
  return Math.max(1, Math.ceil(SUPER_SEED_OFFER_BLOCKS / (SUPER_SEED_OFFERS_PER_PEER * Math.max(1, blocksPerChunk))))
}

export interface SwarmConfig {
  blockSize: number
  uploadSlots: number
  optimisticEvery: number
  pipelineDepth: number
  randomFirstChunks: number
  requestTimeoutMs: number
  keepAliveIntervalMs: number
  maxSwarmPeers: number
  banAfterBadChunks: number
  rateWindowMs: number
  uploadCacheChunks: number
  /** Pieces handed to the transport per peer at once. */
  uploadsInFlight: number
  rechokeIntervalMs: number
  /** false: a leech-only peer that never unchokes anyone. */
  upload: boolean
}

/** The ports a swarm uses; the actor provides them. */
export interface SwarmIo {
  now(): number
  random: Random
  logger: Logger
  send(peer: PeerKey, msg: ChunkMsg): Promise<void>
  /** Send a piece; the actor reports back through `pieceSent` once the transport took it. */
  sendPiece(peer: PeerKey, msg: Extract<ChunkMsg, { type: 'piece' }>): void
  /** The actor-wide budget of pieces handed to the transport has room for one more. */
  uploadSlotFree(): boolean
  /** The peer restarted: pieces still queued on its old stream will never be confirmed. */
  sessionReset(peer: PeerKey): void
  strike(peer: PeerKey, reason: string): void
  /** Drop the peer from this swarm for good (bad data past the threshold). */
  ban(peer: PeerKey, reason: string): void
  /** Every chunk is verified and stored. */
  completed(): void
  /**
   * Disk work off the mailbox: the actor keeps handling messages while `work` runs, and
   * runs `then` with its result (or error) as a message of its own once it settled.
   */
  background<T>(work: Promise<T>, then: (result: T | Error) => Promise<void> | void): void
}

/**
 * One file's swarm on this peer: the peers in it, what each has, who is choked, chunk
 * assembly and verification, uploads. Decisions come from the pure policies (picker,
 * choker, super-seed); this class applies them to messages. No timers of its own: the
 * actor calls `rechoke` and `tick` on its clock.
 */
export class Swarm {
  readonly link: SealedManifest['link']
  readonly sealed: SealedManifest
  readonly sid: number
  readonly storage: ChunkStorage
  readonly picker: Picker
  readonly peers = new Map<PeerKey, SwarmPeer>()
  readonly banned = new Set<PeerKey>()
  /** Seeds that started complete hide their bitfield and offer chunks one by one, until the swarm holds every chunk. */
  superSeeding: boolean
  private readonly cfg: SwarmConfig
  private readonly io: SwarmIo
  private readonly assembly = new Map<number, Uint8Array>()
  private readonly cache = new Map<number, Uint8Array>()
  /** Chunks being read to upload, and ones read but not cached (uploadCacheChunks 0) until the pump that follows. */
  private readonly loading = new Set<number>()
  private readonly loaded = new Map<number, Uint8Array>()
  private closed = false
  private readonly offerCount: Int32Array
  /** Super-seeding offers per peer (superSeedScale). */
  private readonly offersPerPeer: number
  /** Seeds met while we were complete too (see leaveIfBothSeeds). */
  private readonly seedsMet = new Set<PeerKey>()
  private optimistic: PeerKey | undefined
  private rounds = 0
  /** The peer whose queued request the last upload turn served (round robin starts after it). */
  private lastServed: PeerKey | undefined
  private readonly downTotal: RateMeter
  private readonly upTotal: RateMeter
  uploaded = 0
  /** `uploaded` when super-seeding ended (Progress.uploadedToSpread). */
  private uploadedToSpread: number | undefined
  downloaded = 0
  wasted = 0
  state: TransferState
  error: string | undefined

  constructor (sealed: SealedManifest, sid: number, storage: ChunkStorage, cfg: SwarmConfig, io: SwarmIo, opts: { superSeed: boolean }) {
    this.sealed = sealed
    this.link = sealed.link
    this.sid = sid
    this.storage = storage
    this.cfg = cfg
    this.io = io
    const m = sealed.manifest
    this.picker = new Picker({
      chunkCount: m.hashes.length,
      chunkLength: i => chunkLength(m, i),
      blockSize: cfg.blockSize,
      have: storage.have,
      random: io.random,
      randomFirst: cfg.randomFirstChunks,
      endgameBlocks: ENDGAME_BLOCKS,
      endgameCopies: ENDGAME_COPIES
    })
    this.offerCount = new Int32Array(m.hashes.length)
    this.offersPerPeer = SUPER_SEED_OFFERS_PER_PEER * superSeedScale(this.picker.blocksPerChunk)
    this.superSeeding = opts.superSeed && storage.have.complete && m.hashes.length > 0
    this.state = storage.have.complete ? 'seeding' : 'downloading'
    this.downTotal = new RateMeter(cfg.rateWindowMs)
    this.upTotal = new RateMeter(cfg.rateWindowMs)
  }

  get complete (): boolean {
    return this.picker.have.complete
  }

  /** Peers that answered our handshake (the others only hold a place, for HANDSHAKE_TIMEOUT_MS at most). */
  get readyPeers (): number {
    let n = 0
    for (const p of this.peers.values()) if (p.ready) n++
    return n
  }

  // ---- membership ----

  /** Start talking to `peer` about this swarm (we initiate: handshake first). */
  addPeer (peer: PeerKey): void {
    if (this.banned.has(peer) || this.bothSeeds(peer)) return
    const p = this.ensurePeer(peer)
    if (p === undefined || p.sentHandshake) return
    p.sentHandshake = true
    this.send(p, { type: 'handshake', sid: this.sid, link: this.link })
  }

  /**
   * The peer's handshake: answer with ours, then our bitfield. On the first handshake from
   * a peer ours is (re)sent even if we sent one before: the peer may have dropped it while
   * it did not yet know the link (no manifest). At most three handshakes per pair.
   */
  onHandshake (peer: PeerKey, theirSid: number): boolean {
    if (this.banned.has(peer) || this.bothSeeds(peer)) return false
    const known = this.peers.get(peer)
    // A new sid from a known peer is a new session (it restarted before we saw it go): start over.
    if (known?.theirSid !== undefined && known.theirSid !== theirSid) {
      this.peerGone(peer)
      this.io.sessionReset(peer)
    }
    const p = this.ensurePeer(peer)
    if (p === undefined) return false
    const first = p.theirSid === undefined
    p.theirSid = theirSid
    if (!p.sentHandshake || first) {
      p.sentHandshake = true
      this.send(p, { type: 'handshake', sid: this.sid, link: this.link })
    }
    if (!p.sentBitfield) {
      p.sentBitfield = true
      const bits = this.superSeeding ? new Bitfield(this.picker.have.length) : this.picker.have
      this.send(p, { type: 'bitfield', sid: this.sid, bits: bits.bytes.slice() })
      this.topUpOffers(p)
    }
    return true
  }

  /** A seed we met while complete ourselves: nothing to trade either way. */
  private bothSeeds (peer: PeerKey): boolean {
    return this.complete && this.seedsMet.has(peer)
  }

  /**
   * Two seeds have nothing to trade, so a complete peer leaves a complete peer (as BitTorrent
   * clients disconnect seed from seed) and does not take it back: a place in the swarm
   * (maxSwarmPeers) then goes to a peer that still needs data. In a 100-leecher textbook run
   * the seed's 60 places filled with finished leechers, and it idled through the last 1,400 s
   * while the last leechers, unable to join it, crawled along at 1 KiB/s sources.
   */
  private leaveIfBothSeeds (p: SwarmPeer): void {
    if (!this.complete || this.picker.peerBits(p.key)?.complete !== true || !this.peers.has(p.key)) return
    this.seedsMet.add(p.key)
    this.send(p, { type: 'leave', sid: this.sid })
    this.peerGone(p.key)
  }

  private ensurePeer (peer: PeerKey): SwarmPeer | undefined {
    let p = this.peers.get(peer)
    if (p === undefined) {
      if (this.peers.size >= this.cfg.maxSwarmPeers) return undefined
      p = new SwarmPeer(peer, this.io.now(), this.cfg.rateWindowMs)
      this.peers.set(peer, p)
      this.picker.addPeer(peer)
    }
    return p
  }

  peerGone (peer: PeerKey): void {
    const p = this.peers.get(peer)
    if (p === undefined) return
    for (const i of p.offered) this.offerCount[i]--
    this.peers.delete(peer)
    this.picker.removePeer(peer)
    if (this.optimistic === peer) this.optimistic = undefined
    this.fillAll()
    this.refillSlots()
  }

  // ---- inbound ----

  async handle (peer: PeerKey, m: SwarmMsg): Promise<void> {
    const p = this.peers.get(peer)
    if (p === undefined || !p.ready) return
    // Peers may run another block size: any block up to the wire limit is fine to serve.
    const bad = invalidFor(m, this.sealed.manifest, MAX_BLOCK_SIZE)
    if (bad !== undefined) {
      this.io.logger.warn('invalid chunks message: striking peer', { peer, link: this.link, type: m.type, reason: bad })
      this.io.strike(peer, bad)
      return
    }
    switch (m.type) {
      case 'bitfield': this.onBitfield(p, m.bits); break
      case 'have': this.onHave(p, m.index); break
      case 'interested': this.onInterested(p); break
      case 'not-interested':
        // Stay unchoked (it costs nothing while it requests nothing): super-seed offers and
        // fresh `have`s make a peer's interest flap, and a choke each time would cost it a round.
        p.peerInterested = false
        p.interestedUntil = this.io.now() + this.cfg.rechokeIntervalMs
        this.refillSlots()
        break
      case 'choke':
        p.peerChoking = true
        this.picker.dropRequests(peer)
        this.fillAll()
        break
      case 'unchoke':
        p.peerChoking = false
        this.fill(p)
        break
      case 'request': this.onRequest(p, m.index, m.begin, m.length); break
      case 'piece': await this.onPiece(p, m.index, m.begin, m.data); break
      case 'cancel': {
        const i = p.uploads.findIndex(u => u.index === m.index && u.begin === m.begin && u.length === m.length)
        if (i >= 0) p.uploads.splice(i, 1)
        break
      }
      default: break
    }
  }

  private onBitfield (p: SwarmPeer, bytes: Uint8Array): void {
    const bits = new Bitfield(this.picker.have.length, bytes)
    this.picker.peerBitfield(p.key, bits)
    this.endSuperSeedingIfSpread()
    this.updateInterest(p)
    // A peer that already unchoked us may send a fuller bitfield later (a seed ending
    // super-seeding): ask it at once, or nothing would until its next `have`.
    this.fill(p)
    this.leaveIfBothSeeds(p)
  }

  private onHave (p: SwarmPeer, index: number): void {
    this.picker.peerHas(p.key, index)
    if (this.superSeeding) {
      if (p.offered.delete(index)) {
        this.offerCount[index]--
        p.tookFromSeed++
        p.obtained.add(index)
        this.topUpOffers(p)
      } else if (this.picker.availability(index) === SUPER_SEED_SPREAD) {
        // A chunk we gave someone just reached a second peer, not from us: its first holder passed it on.
        for (const q of this.peers.values()) {
          if (!q.obtained.has(index)) continue
          q.passedOn++
          this.topUpOffers(q)
        }
      }
      this.endSuperSeedingIfSpread()
    }
    this.updateInterest(p)
    this.fill(p)
    this.leaveIfBothSeeds(p)
  }

  private onInterested (p: SwarmPeer): void {
    p.peerInterested = true
    // A newcomer, or a peer whose slot the last rechoke granted (it lost interest for a moment,
    // e.g. between super-seed offers), is unchoked at once while a slot is free. Anyone else
    // waits for the next rechoke, or a free-rider could grab every slot freed between evaluations.
    if (p.amChoking && (!p.everUnchoked || p.granted) && admitNewcomer(this.unchokedCount(), this.cfg.uploadSlots)) this.unchoke(p)
  }

  private updateInterest (p: SwarmPeer): void {
    const want = this.picker.interestedIn(p.key)
    if (want && !p.amInterested) {
      p.amInterested = true
      this.send(p, { type: 'interested', sid: this.sid })
    } else if (!want && p.amInterested) {
      p.amInterested = false
      this.send(p, { type: 'not-interested', sid: this.sid })
    }
  }

  private onRequest (p: SwarmPeer, index: number, begin: number, length: number): void {
    if (p.amChoking || !this.picker.have.has(index)) return
    if (p.uploads.length >= this.cfg.pipelineDepth * 2) return // more than any honest pipeline: drop, the peer re-asks
    p.uploads.push({ index, begin, length })
    this.pumpUploads(p)
  }

  /**
   * Hand the transport at most `uploadsInFlight` pieces per peer, and only while the
   * actor-wide budget allows (`io.uploadSlotFree`); the rest wait here, where a cancel or
   * choke can still drop them. A deep queue under a rate cap would hold our own requests
   * and `have`s (same stream) behind seconds of pieces.
   */
  private pumpUploads (p: SwarmPeer): void {
    while (p.inFlight < this.cfg.uploadsInFlight && p.uploads.length > 0 && !p.amChoking && this.io.uploadSlotFree()) {
      const b = p.uploads[0]
      const chunk = this.cachedChunk(b.index)
      // Not in memory: read it off the mailbox (the actor keeps serving), pump again once read.
      if (chunk === undefined) { this.load(b.index); break }
      p.uploads.shift()
      p.inFlight++
      this.lastServed = p.key
      p.lastSentAt = this.io.now()
      this.io.sendPiece(p.key, { type: 'piece', sid: this.sid, index: b.index, begin: b.begin, data: chunk.subarray(b.begin, b.begin + b.length) })
    }
    this.readAhead(p)
  }

  /**
   * Start reading the next chunks this peer asked for (READ_AHEAD_CHUNKS) while the current
   * one is sent, so a fast peer does not wait a disk read at every chunk boundary. Only
   * with a cache to keep them in (else a chunk read early is dropped before its turn).
   */
  private readAhead (p: SwarmPeer): void {
    if (this.cfg.uploadCacheChunks <= READ_AHEAD_CHUNKS) return
    const pending = new Set<number>()
    for (const b of p.uploads) {
      if (this.cache.has(b.index) || this.loaded.has(b.index) || pending.has(b.index)) continue
      if (pending.size >= READ_AHEAD_CHUNKS) return
      pending.add(b.index)
      this.load(b.index)
    }
  }

  /** Serve waiting requests in round robin (see `serveOrder`): each hungry peer in turn, wherever it sits in the map. */
  pumpAll (): void {
    // Nothing below adds or removes peers (sends settle later), so the map can be walked live.
    for (const key of serveOrder(this.peers, this.lastServed)) {
      if (!this.io.uploadSlotFree()) return
      const p = this.peers.get(key)
      if (p !== undefined && p.uploads.length > 0) this.pumpUploads(p)
    }
  }

  /** The transport took (or failed to take) one of our pieces. */
  pieceSent (peer: PeerKey, bytes: number): void {
    const p = this.peers.get(peer)
    if (p === undefined) return
    p.inFlight = Math.max(0, p.inFlight - 1)
    if (bytes > 0) {
      const now = this.io.now()
      p.up.add(bytes, now)
      this.upTotal.add(bytes, now)
      this.uploaded += bytes
    }
  }

  /** A verified chunk in memory (a small cache spares re-reading it per block). */
  private cachedChunk (index: number): Uint8Array | undefined {
    const hit = this.cache.get(index)
    if (hit !== undefined) {
      this.cache.delete(index)
      this.cache.set(index, hit)
      return hit
    }
    return this.loaded.get(index)
  }

  /** Read a chunk to upload and verify it against its hash, in the background; then serve. */
  private load (index: number): void {
    if (this.loading.has(index)) return
    this.loading.add(index)
    this.io.background(this.storage.read(index), (data) => {
      this.loading.delete(index)
      if (this.closed) return
      if (data instanceof Error || !chunkMatches(this.sealed.manifest, index, data)) {
        if (data instanceof Error) this.io.logger.error('cannot read chunk to upload', { link: this.link, index, error: data.message })
        else this.io.logger.error('stored chunk fails its hash: not uploading it', { link: this.link, index, location: this.storage.location })
        for (const p of this.peers.values()) {
          for (let i = p.uploads.length - 1; i >= 0; i--) if (p.uploads[i].index === index) p.uploads.splice(i, 1)
        }
      } else {
        this.remember(index, data)
        this.loaded.set(index, data)
      }
      this.pumpAll()
      this.loaded.delete(index)
    })
  }

  private remember (index: number, data: Uint8Array): void {
    if (this.cfg.uploadCacheChunks <= 0) return
    this.cache.set(index, data)
    while (this.cache.size > this.cfg.uploadCacheChunks) this.cache.delete(this.cache.keys().next().value as number)
  }

  private async onPiece (p: SwarmPeer, index: number, begin: number, data: Uint8Array): Promise<void> {
    const now = this.io.now()
    p.down.add(data.length, now)
    this.downTotal.add(data.length, now)
    this.downloaded += data.length
    p.gapMs = nextGap(p.gapMs, now - p.lastPieceAt)
    p.lastPieceAt = now
    p.snubbed = false
    const out = this.picker.blockReceived(p.key, index, begin, data.length)
    if (!out.accepted) {
      this.wasted += data.length
      this.fill(p)
      return
    }
    for (const other of out.cancels) {
      const o = this.peers.get(other)
      if (o !== undefined) this.send(o, { type: 'cancel', sid: this.sid, index, begin, length: data.length })
    }
    let buf = this.assembly.get(index)
    if (buf === undefined) {
      buf = new Uint8Array(chunkLength(this.sealed.manifest, index))
      this.assembly.set(index, buf)
    }
    buf.set(data, begin)
    if (out.chunkComplete) {
      this.assembly.delete(index)
      await this.chunkDone(index, buf)
    }
    this.fill(p)
  }

  private async chunkDone (index: number, data: Uint8Array): Promise<void> {
    if (!chunkMatches(this.sealed.manifest, index, data)) {
      const blamed = this.picker.chunkFailed(index)
      this.io.logger.warn('chunk failed verification: discarded', { link: this.link, index, from: blamed })
      for (const peer of blamed) {
        const p = this.peers.get(peer)
        if (p === undefined) continue
        p.badScore += 1 / blamed.length
        if (blamed.length === 1 || p.badScore >= this.cfg.banAfterBadChunks) this.io.strike(peer, `chunk ${index} of ${this.link} failed its hash`)
        if (p.badScore >= this.cfg.banAfterBadChunks) this.banPeer(peer, `${p.badScore.toFixed(1)} bad chunks`)
      }
      this.fillAll()
      return
    }
    // Written off the mailbox (the actor keeps taking pieces); announced once on disk.
    this.io.background(this.storage.write(index, data), async (r) => { await this.chunkStored(index, data, r) })
  }

  private async chunkStored (index: number, data: Uint8Array, written: void | Error): Promise<void> {
    if (this.closed) return
    if (written instanceof Error) {
      this.io.logger.error('cannot store a verified chunk: fetching it again', { link: this.link, index, location: this.storage.location, error: written.message })
      this.picker.chunkFailed(index)
      this.fillAll()
      return
    }
    this.picker.chunkVerified(index)
    this.remember(index, data)
    for (const p of this.peers.values()) {
      if (p.ready) this.send(p, { type: 'have', sid: this.sid, index })
      if (p.amInterested) this.updateInterest(p)
    }
    if (this.picker.have.complete) {
      this.io.logger.debug('download sources', { link: this.link, bytes: Object.fromEntries([...this.peers.values()].map(p => [p.key.slice(-6), p.down.total])) })
      await this.storage.finish()
      this.state = 'seeding'
      this.io.completed()
      for (const p of [...this.peers.values()]) this.leaveIfBothSeeds(p)
    }
  }

  private banPeer (peer: PeerKey, reason: string): void {
    this.banned.add(peer)
    this.peerGone(peer)
    this.io.ban(peer, reason)
  }

  // ---- requesting ----

  private fill (p: SwarmPeer): void {
    if (p.peerChoking || !p.amInterested || this.complete) return
    const now = this.io.now()
    const rate = p.down.rate(now)
    const outstanding = this.picker.outstanding(p.key)
    const room = pipelineDepth(rate, this.cfg.blockSize, this.cfg.pipelineDepth, p.snubbed) - outstanding
    if (room <= 0) return
    const taken: Array<BlockRef & { from: PeerKey }> = []
    const blocks = this.picker.next(p.key, room, other => {
      const o = this.peers.get(other)
      return o !== undefined && rate > STEAL_RATE_RATIO * o.down.rate(now)
    }, taken)
    for (const t of taken) {
      const o = this.peers.get(t.from)
      if (o !== undefined) this.send(o, { type: 'cancel', sid: this.sid, index: t.index, begin: t.begin, length: t.length })
    }
    // The snub clock starts when requests go out to an idle pipeline, not at the last block
    // before a choke or a lull (else a peer unchoking us after a minute is snubbed at once).
    if (outstanding === 0 && blocks.length > 0) p.lastPieceAt = now
    for (const b of blocks) this.send(p, { type: 'request', sid: this.sid, ...b })
  }

  private fillAll (): void {
    for (const p of this.peers.values()) this.fill(p)
  }

  // ---- choking ----

  /** Unchoked peers using a slot (an unchoked peer that wants nothing uses no upload). */
  private unchokedCount (): number {
    let n = 0
    for (const p of this.peers.values()) if (!p.amChoking && p.peerInterested) n++
    return n
  }

  private choke (p: SwarmPeer): void {
    if (p.amChoking) return
    p.amChoking = true
    p.uploads.length = 0
    this.send(p, { type: 'choke', sid: this.sid })
  }

  private unchoke (p: SwarmPeer): void {
    if (!p.amChoking || !this.cfg.upload) return
    p.amChoking = false
    if (!p.everUnchoked) p.granted = true
    p.everUnchoked = true
    this.send(p, { type: 'unchoke', sid: this.sid })
  }

  /** One rechoke evaluation (the actor calls it every rechoke interval). */
  rechoke (): void {
    const now = this.io.now()
    const rotate = this.rounds % Math.max(1, this.cfg.optimisticEvery) === 0
    this.rounds++
    const candidates = [...this.peers.values()].filter(p => p.ready).map(p => this.candidate(p, now))
    const d = rechoke({ candidates, slots: this.cfg.uploadSlots, seed: this.complete, optimistic: this.optimistic, rotate }, this.io.random)
    this.optimistic = d.optimistic
    for (const p of this.peers.values()) {
      p.granted = d.unchoked.has(p.key)
      if (p.granted) this.unchoke(p)
      else this.choke(p)
    }
  }

  private candidate (p: SwarmPeer, now: number): ChokeCandidate {
    return {
      peer: p.key,
      // Interested now, or until lately: a lapse between two chunks must not cost the slot.
      interested: p.peerInterested || p.interestedUntil > now,
      downRate: p.down.rate(now),
      upRate: p.up.rate(now),
      received: p.down.total,
      spreads: p.spreads
    }
  }

  /**
   * A slot freed between evaluations (its peer lost interest, finished or left) goes at once
   * to the choked interested peer the rechoke ranks first, as the next evaluation would give
   * it: on 1 MB/s links a wait of up to 10 s idled the seed through the tail of a swarm whose
   * finished leechers no longer wanted its data. Ranked, not first come: a free-rider gets
   * such a slot only when no reciprocating peer waits.
   */
  private refillSlots (): void {
    if (!this.cfg.upload) return
    const free = this.cfg.uploadSlots + 1 - this.unchokedCount()
    if (free <= 0) return
    const now = this.io.now()
    const waiting = [...this.peers.values()].filter(p => p.ready && p.amChoking && p.peerInterested).map(p => this.candidate(p, now))
    if (waiting.length === 0) return
    const d = rechoke({ candidates: waiting, slots: free, seed: this.complete, rotate: false }, this.io.random)
    for (const key of d.regular) {
      const p = this.peers.get(key)
      if (p === undefined) continue
      p.granted = true
      this.unchoke(p)
    }
  }

  /**
   * Super-seeding: keep each peer offered up to two chunks it lacks (more for small chunks:
   * superSeedScale), least spread first. A peer still sitting on SUPER_SEED_UNSPREAD_LIMIT
   * chunks we gave it that no other peer
   * has gets nothing new until it passes some on: the seed's upload goes to peers that
   * spread it, and a free-rider is starved of fresh chunks.
   */
  private topUpOffers (p: SwarmPeer, force = false): void {
    if (!this.superSeeding || !p.sentBitfield) return
    for (const i of p.obtained) if (this.picker.availability(i) >= SUPER_SEED_SPREAD || !this.someoneElseLacks(p, i)) p.obtained.delete(i)
    if (p.obtained.size >= SUPER_SEED_UNSPREAD_LIMIT && !force) return
    const bits = this.picker.peerBits(p.key)
    const count = this.picker.have.length
    const offers = this.offersFor(p)
    const spread = (j: number): number => this.picker.availability(j) + this.offerCount[j]
    while (p.offered.size < offers) {
      const i = pickOffer(count, j => bits?.has(j) === true, p.offered, spread, this.io.random)
      if (i === undefined) return
      // Past the base offers only chunks nobody has or was offered: in a crowd every chunk
      // soon is, and the extras stop before the seed hands one chunk to a second peer.
      if (p.offered.size >= this.offersPerPeer && spread(i) > 0) return
      p.offered.add(i)
      this.offerCount[i]++
      this.send(p, { type: 'have', sid: this.sid, index: i })
    }
  }

  /**
   * Super-seeding holds chunks back only while that costs the seed nothing: when no request
   * is waiting, every peer (choked or not) is topped up to its full offers, past the spread
   * rule; an offer makes it interested, and the choker then gives it a slot. The chunks
   * offered are still the least spread ones, so the seed still sends each chunk once before
   * any twice. (Offering only to unchoked peers deadlocked on slow uplinks: nobody was
   * interested, so nobody was unchoked, and the seed idled 8 of the first 11 minutes of an
   * 8-leecher textbook run while leechers passed its chunks on at 1 KiB/s.) A peer that never
   * passed our chunks on gets no such extra: idle seed upload is not worth spending on a free-rider.
   */
  offerWhileIdle (): void {
    if (!this.superSeeding) return
    for (const p of this.peers.values()) if (p.uploads.length > 0) return
    for (const p of this.peers.values()) {
      if (p.ready && p.spreads && p.offered.size < this.offersFor(p)) this.topUpOffers(p, true)
    }
  }

  /**
   * Offers a super-seeding seed keeps open at one peer: at least offersPerPeer, and enough
   * chunks to cover the request pipeline that the rate we upload to it at calls for, plus
   * one chunk, so a fast peer's pipeline does not drain while its `have` for an offered
   * chunk comes back. Two offers capped a lone leecher on a fast link at 8 blocks in
   * flight: the pipeline emptied at every chunk, both ends idled half the time (two peers
   * in two processes: ~55 MB/s where the plain stream ran ~250). The offers past the base
   * are chunks no peer has or was offered (topUpOffers), so they never cost a second copy;
   * on slow links the depth is the pipeline minimum and nothing changes.
   */
  private offersFor (p: SwarmPeer): number {
    const depth = pipelineDepth(p.up.rate(this.io.now()), this.cfg.blockSize, this.cfg.pipelineDepth, false)
    return Math.max(this.offersPerPeer, Math.ceil(depth / this.picker.blocksPerChunk) + 1)
  }

  /** Another peer of the swarm could take chunk `i` from `p` (else `p` cannot be expected to pass it on). */
  private someoneElseLacks (p: SwarmPeer, i: number): boolean {
    for (const q of this.peers.values()) {
      if (q !== p && q.ready && this.picker.peerBits(q.key)?.has(i) !== true) return true
    }
    return false
  }

  /**
   * Super-seeding has done its job once every chunk is somewhere in the swarm: from then on
   * hiding chunks only idles the seed (leechers could fetch them from us, not only from
   * slower peers), so it announces everything and serves as a plain seed. Checked at each
   * `have` and bitfield, the only news that can complete the spread (at a 1 s tick instead,
   * a fast swarm could finish and leave before super-seeding ever ended).
   */
  private endSuperSeedingIfSpread (): void {
    if (!this.superSeeding || !this.picker.allHeldByPeers()) return
    this.superSeeding = false
    this.uploadedToSpread = this.uploaded
    this.io.logger.debug('every chunk is in the swarm: super-seeding ends', { link: this.link, uploaded: this.uploaded })
    for (const p of this.peers.values()) {
      for (const i of p.offered) this.offerCount[i]--
      p.offered.clear()
      p.obtained.clear()
      if (p.sentBitfield) this.send(p, { type: 'bitfield', sid: this.sid, bits: this.picker.have.bytes.slice() })
    }
  }

  /** Housekeeping: requests unanswered too long go to other peers; idle links get a keep-alive; unanswered handshakes give their places up. */
  tick (): void {
    const now = this.io.now()
    for (const p of [...this.peers.values()]) if (!p.ready && now - p.addedAt > HANDSHAKE_TIMEOUT_MS) this.peerGone(p.key)
    this.refillSlots()
    for (const p of this.peers.values()) {
      if (!p.snubbed && this.picker.outstanding(p.key) > 1 && now - p.lastPieceAt > snubAfterMs(this.cfg.requestTimeoutMs, p.gapMs)) {
        // Keep the oldest request (a slow peer is likely sending it: cancelling it would waste
        // what it already sent) and cancel the rest, so the peer does not upload blocks others
        // now send us. A dead peer holds one block until it leaves or endgame asks others too.
        const dropped = this.picker.dropRequests(p.key, 1)
        this.io.logger.debug('peer snubbed us: re-requesting its blocks elsewhere', { peer: p.key, link: this.link, dropped: dropped.length, gapMs: p.gapMs ?? -1 })
        for (const b of dropped) this.send(p, { type: 'cancel', sid: this.sid, ...b })
        p.snubbed = true
        p.lastPieceAt = now
        this.fillAll()
      }
      if (now - p.lastSentAt > this.cfg.keepAliveIntervalMs) this.send(p, { type: 'keepalive' })
    }
  }

  /** Tell every peer we leave, and close the storage. */
  async close (): Promise<void> {
    this.closed = true
    for (const p of this.peers.values()) if (p.ready) this.send(p, { type: 'leave', sid: this.sid })
    for (const k of [...this.peers.keys()]) this.peerGone(k)
    await this.storage.close()
  }

  private send (p: SwarmPeer, msg: ChunkMsg): void {
    p.lastSentAt = this.io.now()
    this.io.send(p.key, msg).catch((err: Error) => { this.io.logger.debug('chunks send failed', { peer: p.key, type: msg.type, error: err.message }) })
  }

  progress (): Progress {
    const now = this.io.now()
    const m = this.sealed.manifest
    const have = this.picker.have
    let bytesHave = have.count * m.chunkSize
    if (have.length > 0 && have.has(have.length - 1)) bytesHave -= m.chunkSize - chunkLength(m, have.length - 1)
    const downRate = this.downTotal.rate(now)
    const left = m.size - bytesHave
    return {
      link: this.link,
      name: m.name,
      size: m.size,
      state: this.state,
      chunks: have.length,
      chunksHave: have.count,
      bytesHave,
      downRate,
      upRate: this.upTotal.rate(now),
      downloaded: this.downloaded,
      uploaded: this.uploaded,
      ...(this.uploadedToSpread !== undefined ? { uploadedToSpread: this.uploadedToSpread } : {}),
      peers: this.readyPeers,
      etaSec: left === 0 ? 0 : downRate > 0 ? left / downRate : null,
      location: this.storage.location,
      ...(this.error !== undefined ? { error: this.error } : {})
    }
  }
}
