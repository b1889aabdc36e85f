import type { PeerKey } from '../../node/ports/net.ts'
import type { Random } from '../../node/ports/random.ts'
import { Bitfield } from './bitfield.ts'
import { IN_TRANSIT_BLOCKS } from './constants.ts'

/** One block of one chunk. */
export interface BlockRef {
  index: number
  begin: number
  length: number
}

interface Partial {
  index: number
  blocks: number
  received: Uint8Array
  receivedCount: number
  /** Peers each block is outstanding at (more than one only in endgame). */
  requested: Array<Set<PeerKey> | undefined>
  /** Peers that supplied at least one block: struck if the chunk fails its hash. */
  contributors: Set<PeerKey>
  /** 1: the block's request was dropped (choke, snub) while the peer may be sending it still. */
  mayArrive: Uint8Array
}

interface PeerView {
  bits: Bitfield
  /** Chunks this peer has and we lack: > 0 means we are interested. */
  wanted: number
  /** Outstanding block keys (index * blocksPerChunk + block). */
  outstanding: Set<number>
  /**
   * Keys asked of this peer and then dropped (choke, snub): still welcome if they arrive.
   * Made on first use: most peers never have one, and a swarm where every peer knows every
   * other holds a view per pair.
   */
  dropped: Set<number> | undefined
  /** Position in `peers` (insertion order), so `steal` visits its candidates in that order. */
  order: number
}

export interface PickerInit {
  chunkCount: number
  chunkLength: (index: number) => number
  blockSize: number
  /** Chunks we already have (verified). */
  have: Bitfield
  random: Random
  /** Until this many chunks are complete, a new chunk is picked at random, not rarest. */
  randomFirst: number
  /** Endgame starts only once at most this many blocks are missing (default: any number). */
  endgameBlocks?: number
  /** In endgame, a block is asked of at most this many peers at once (default: every peer that has it). */
  endgameCopies?: number
}

export interface BlockOutcome {
  /** False for a block we never asked this peer for, or already have (e.g. after a cancel). */
  accepted: boolean
  /** Every block of the chunk is now in: verify it. */
  chunkComplete: boolean
  /** Other peers the same block was requested from (endgame): send them a cancel. */
  cancels: PeerKey[]
}

/**
 * Which block to ask a peer for next. Availability of each missing chunk among our
 * neighbours is kept incrementally in buckets by count (a `have` moves one chunk one
 * bucket up, never a rescan); picking scans buckets upward for the rarest chunks this
 * peer has and breaks ties at random. Order of preference:
 *   1. blocks of chunks already started (finish chunks before starting new ones);
 *   2. a new chunk: random while we have fewer than `randomFirst`, else rarest first;
 *   3. endgame: once every missing block is outstanding somewhere and few are left, the
 *      same blocks from this peer too (up to `endgameCopies` requests per block); the
 *      first copy to arrive cancels the others.
 * No I/O: the swarm feeds it events and sends what it returns.
 */
export class Picker {
  readonly have: Bitfield
  private readonly count: Int32Array
  private readonly buckets: Array<Set<number>> = [new Set()]
  /** Chunks no neighbour has (count 0), ours included: kept in bump, so a seed asks it in O(1). */
  private unheld: number
  private readonly partials = new Map<number, Partial>()
  private readonly peers = new Map<PeerKey, PeerView>()
  private added = 0
  /**
   * Every peer with two or more blocks outstanding (and perhaps some with fewer, or gone:
   * `steal` prunes them). `steal` looks only at those; scanning every peer per `next` made
   * it the picker's largest cost in a 1,000-peer swarm, where most peers had nothing queued.
   */
  private readonly busy = new Map<PeerKey, PeerView>()
  private readonly init: PickerInit
  readonly blocksPerChunk: number

  constructor (init: PickerInit) {
    this.init = init
    // A copy: storage marks chunks present itself, and the picker must see each arrival once.
    this.have = new Bitfield(init.chunkCount, init.have.bytes)
    this.count = new Int32Array(init.chunkCount)
    this.unheld = init.chunkCount
    this.blocksPerChunk = Math.max(1, Math.ceil(init.chunkLength(0) / init.blockSize))
    for (let i = 0; i < init.chunkCount; i++) if (!this.have.has(i)) this.buckets[0].add(i)
  }

  // ---- availability ----

  addPeer (peer: PeerKey): void {
    if (!this.peers.has(peer)) this.peers.set(peer, { bits: new Bitfield(this.init.chunkCount), wanted: 0, outstanding: new Set(), dropped: undefined, order: this.added++ })
  }

  /** A peer's bitfield (replaces what we knew of it). */
  peerBitfield (peer: PeerKey, bits: Bitfield): void {
    this.addPeer(peer)
    for (const i of bits.indexes()) this.peerHas(peer, i)
  }

  /** A peer announced chunk `index`. Returns true when it made us newly interested in the peer. */
  peerHas (peer: PeerKey, index: number): boolean {
    this.addPeer(peer)
    const v = this.peers.get(peer) as PeerView
    if (!v.bits.add(index)) return false
    this.bump(index, +1)
    if (this.have.has(index)) return false
    v.wanted++
    return v.wanted === 1
  }

  /** A peer left: its chunks no longer count and its outstanding blocks are free again. */
  removePeer (peer: PeerKey): void {
    const v = this.peers.get(peer)
    if (v === undefined) return
    this.dropRequests(peer, 0, 0)
    for (const i of v.bits.indexes()) this.bump(i, -1)
    this.peers.delete(peer)
  }

  availability (index: number): number {
    return this.count[index]
  }

  /** Every chunk is held by at least one neighbour. */
  allHeldByPeers (): boolean {
    return this.unheld === 0
  }

  peerBits (peer: PeerKey): Bitfield | undefined {
    return this.peers.get(peer)?.bits
  }

  /** We want something this peer has. */
  interestedIn (peer: PeerKey): boolean {
    return (this.peers.get(peer)?.wanted ?? 0) > 0
  }

  outstanding (peer: PeerKey): number {
    return this.peers.get(peer)?.outstanding.size ?? 0
  }

  private bump (index: number, delta: number): void {
    const c = this.count[index]
    this.count[index] = c + delta
    if (c === 0) this.unheld--
    else if (c + delta === 0) this.unheld++
    if (this.have.has(index)) return
    this.buckets[c]?.delete(index)
    while (this.buckets.length <= c + delta) this.buckets.push(new Set())
    this.buckets[c + delta].add(index)
  }

  // ---- picking ----

  /**
   * Up to `max` blocks to request from `peer` now; they are recorded as outstanding. With
   * `outpaces`, when nothing unrequested is left, `peer` also takes over blocks waiting
   * behind another at a peer it outpaces (see `steal`); those come back in `taken`, to be
   * cancelled there.
   */
  next (peer: PeerKey, max: number, outpaces?: (other: PeerKey) => boolean, taken?: Array<BlockRef & { from: PeerKey }>): BlockRef[] {
    const v = this.peers.get(peer)
    const out: BlockRef[] = []
    if (v === undefined || max <= 0) return out
    for (const p of this.partials.values()) {
      if (out.length >= max) return out
      if (v.bits.has(p.index)) this.takeBlocks(p, peer, v, max - out.length, 'fresh', out)
    }
    while (out.length < max) {
      const index = this.chooseNew(v)
      if (index === undefined) break
      this.takeBlocks(this.start(index), peer, v, max - out.length, 'fresh', out)
    }
    // Blocks a peer that choked or snubbed us may still deliver come last: asking them of
    // someone else at once had both copies cross slow uplinks, one of them wasted.
    for (const p of this.partials.values()) {
      if (out.length >= max) return out
      if (v.bits.has(p.index)) this.takeBlocks(p, peer, v, max - out.length, 'late', out)
    }
    if (out.length < max && outpaces !== undefined) this.steal(peer, v, max, outpaces, out, taken)
    if (out.length < max && this.inEndgame()) {
      for (const p of this.partials.values()) {
        if (out.length >= max) break
        if (v.bits.has(p.index)) this.takeBlocks(p, peer, v, max - out.length, 'duplicate', out)
      }
    }
    return out
  }

  /**
   * Blocks queued at a slower peer move to a faster one with room: a block that is not the
   * first outstanding at its peer waits behind that one, so it has likely not started to
   * cross, and cancelling it there costs nothing. Outside endgame a block is asked of one
   * peer only, so without this a nearly done leecher's last chunks sat queued at 1 KiB/s
   * peers while the seed, unchoking it, had nothing to send (the seed idled a third of the
   * last quarter of a 15-leecher textbook run).
   */
  private steal (peer: PeerKey, v: PeerView, max: number, outpaces: (other: PeerKey) => boolean, out: BlockRef[], taken?: Array<BlockRef & { from: PeerKey }>): void {
    const candidates: Array<[PeerKey, PeerView]> = []
    for (const [other, ov] of this.busy) {
      if (this.peers.get(other) !== ov || ov.outstanding.size < 2) this.busy.delete(other)
      else candidates.push([other, ov])
    }
    candidates.sort((a, b) => a[1].order - b[1].order)
    for (const [other, ov] of candidates) {
      if (out.length >= max) return
      if (other === peer || ov.outstanding.size < 2 || !outpaces(other)) continue
      let first = true
      for (const key of [...ov.outstanding]) {
        if (first) { first = false; continue }
        if (out.length >= max) return
        const index = Math.floor(key / this.blocksPerChunk)
        const b = key % this.blocksPerChunk
        const p = this.partials.get(index)
        if (p === undefined || !v.bits.has(index) || p.received[b] === 1 || (p.requested[b]?.size ?? 0) !== 1) continue
        ov.outstanding.delete(key)
        ;(ov.dropped ??= new Set()).add(key)
        p.requested[b] = new Set([peer])
        v.outstanding.add(key)
        this.busy.set(peer, v)
        const begin = b * this.init.blockSize
        const ref = { index, begin, length: Math.min(this.init.blockSize, this.init.chunkLength(index) - begin) }
        out.push(ref)
        taken?.push({ ...ref, from: other })
      }
    }
  }

  /**
   * Endgame: no chunk is left unstarted, no block of a started chunk is unrequested, and at
   * most `endgameBlocks` blocks are missing. The last condition is ours: with deep pipelines
   * to many peers, "everything is requested" held while half a small file was still on its
   * way, and every duplicate that a slow uplink had started sending was wasted (endgame
   * duplicates were a third of all bytes uploaded in a 1 KiB/s textbook swarm).
   */
  inEndgame (): boolean {
    if (this.have.count + this.partials.size < this.init.chunkCount) return false
    let missing = 0
    for (const p of this.partials.values()) {
      for (let b = 0; b < p.blocks; b++) if (p.received[b] === 0 && (p.requested[b]?.size ?? 0) === 0) return false
      missing += p.blocks - p.receivedCount
    }
    return missing <= (this.init.endgameBlocks ?? Number.POSITIVE_INFINITY)
  }

  private chooseNew (v: PeerView): number | undefined {
    if (this.have.count < this.init.randomFirst) {
      let chosen: number | undefined
      let seen = 0
      for (const i of v.bits.indexes()) {
        if (this.have.has(i) || this.partials.has(i)) continue
        seen++
        if (this.init.random.int(seen) === 0) chosen = i
      }
      return chosen
    }
    for (let c = 1; c < this.buckets.length; c++) {
      let chosen: number | undefined
      let seen = 0
      for (const i of this.buckets[c]) {
        if (!v.bits.has(i) || this.partials.has(i)) continue
        seen++
        if (this.init.random.int(seen) === 0) chosen = i
      }
      if (chosen !== undefined) return chosen
    }
    return undefined
  }

  private start (index: number): Partial {
    const len = this.init.chunkLength(index)
    const blocks = Math.ceil(len / this.init.blockSize)
    const p: Partial = { index, blocks, received: new Uint8Array(blocks), receivedCount: 0, requested: new Array(blocks), contributors: new Set(), mayArrive: new Uint8Array(blocks) }
    this.partials.set(index, p)
    return p
  }

  /**
   * Request up to `max` blocks of `p` from `peer`: 'fresh' takes unrequested blocks no
   * dropped request may still deliver, 'late' also those, 'duplicate' (endgame) blocks
   * already requested elsewhere, up to `endgameCopies` requests each.
   */
  private takeBlocks (p: Partial, peer: PeerKey, v: PeerView, max: number, mode: 'fresh' | 'late' | 'duplicate', out: BlockRef[]): void {
    const len = this.init.chunkLength(p.index)
    for (let b = 0; b < p.blocks && max > 0; b++) {
      if (p.received[b] === 1) continue
      const req = p.requested[b]
      if (req?.has(peer) === true) continue
      if (mode !== 'duplicate' && (req?.size ?? 0) > 0) continue
      if (mode === 'fresh' && p.mayArrive[b] === 1) continue
      if (mode === 'duplicate' && (req?.size ?? 0) >= (this.init.endgameCopies ?? Number.POSITIVE_INFINITY)) continue
      p.mayArrive[b] = 0
      const set = req ?? new Set<PeerKey>()
      set.add(peer)
      p.requested[b] = set
      v.outstanding.add(p.index * this.blocksPerChunk + b)
      this.busy.set(peer, v)
      const begin = b * this.init.blockSize
      out.push({ index: p.index, begin, length: Math.min(this.init.blockSize, len - begin) })
      max--
    }
  }

  // ---- outcomes ----

  blockReceived (peer: PeerKey, index: number, begin: number, length: number): BlockOutcome {
    const p = this.partials.get(index)
    const b = begin / this.init.blockSize
    const v = this.peers.get(peer)
    const key = index * this.blocksPerChunk + b
    // A block we dropped (the peer choked or snubbed us) may still arrive: the peer had
    // started sending it, and on a slow uplink that is many seconds of its upload, so it
    // is used rather than wasted while we still lack it.
    const expected = p !== undefined && v !== undefined && Number.isInteger(b) && b < p.blocks &&
      (v.outstanding.has(key) || v.dropped?.has(key) === true) && Math.min(this.init.blockSize, this.init.chunkLength(index) - begin) === length
    if (!expected) return { accepted: false, chunkComplete: false, cancels: [] }
    v.outstanding.delete(key)
    v.dropped?.delete(key)
    if (p.received[b] === 1) return { accepted: false, chunkComplete: false, cancels: [] }
    p.received[b] = 1
    p.receivedCount++
    p.contributors.add(peer)
    const cancels: PeerKey[] = []
    for (const other of p.requested[b] ?? []) {
      if (other === peer) continue
      cancels.push(other)
      this.peers.get(other)?.outstanding.delete(key)
    }
    p.requested[b] = undefined
    return { accepted: true, chunkComplete: p.receivedCount === p.blocks, cancels }
  }

  /** The chunk passed its hash: it is ours; peers that have it are that much less interesting. */
  chunkVerified (index: number): void {
    this.partials.delete(index)
    if (!this.have.add(index)) return
    this.buckets[this.count[index]]?.delete(index)
    for (const v of this.peers.values()) if (v.bits.has(index)) v.wanted--
  }

  /** The chunk failed its hash: start it over; returns who supplied its blocks. */
  chunkFailed (index: number): PeerKey[] {
    const p = this.partials.get(index)
    if (p === undefined) return []
    this.partials.delete(index)
    for (let b = 0; b < p.blocks; b++) {
      for (const peer of p.requested[b] ?? []) this.peers.get(peer)?.outstanding.delete(index * this.blocksPerChunk + b)
    }
    return [...p.contributors]
  }

  /**
   * Forget the blocks outstanding at `peer` (it choked us, left, or is snubbed), except the
   * `keep` requested first (the one a slow peer is most likely sending now). The next
   * `mayArrive` dropped (the oldest: the peer may have handed them to its transport already)
   * are accepted if they come anyway, and asked of others only when nothing else is left;
   * the rest are free for others at once. Returns the blocks dropped, so the caller can
   * cancel them at the peer.
   */
  dropRequests (peer: PeerKey, keep = 0, mayArrive = IN_TRANSIT_BLOCKS): BlockRef[] {
    const v = this.peers.get(peer)
    const dropped: BlockRef[] = []
    if (v === undefined) return dropped
    let kept = 0
    // A Set iterates in insertion order: oldest request first.
    for (const key of [...v.outstanding]) {
      if (kept < keep) { kept++; continue }
      const index = Math.floor(key / this.blocksPerChunk)
      const b = key % this.blocksPerChunk
      const p = this.partials.get(index)
      p?.requested[b]?.delete(peer)
      v.outstanding.delete(key)
      if (dropped.length < mayArrive) {
        ;(v.dropped ??= new Set()).add(key)
        if (p !== undefined && (p.requested[b]?.size ?? 0) === 0) p.mayArrive[b] = 1
      }
      const begin = b * this.init.blockSize
      dropped.push({ index, begin, length: Math.min(this.init.blockSize, this.init.chunkLength(index) - begin) })
    }
    return dropped
  }

  /** Chunks started and not yet complete (for status). */
  get inProgress (): number {
    return this.partials.size
  }
}
