import type { Clock } from '../ports/clock.ts'
import type { PeerKey } from '../ports/net.ts'
import { RATE_BURST_MS } from './constants.ts'
import { fullBucket, takeTokens, type Bucket } from './token-bucket.ts'

export interface RateCaps {
  uploadBps: number
  downloadBps: number
  peerUploadBps: number
  peerDownloadBps: number
}

type Direction = 'up' | 'down'

/**
 * Upload/download caps on the wire, total and per remote peer (0 = none). Writers wait
 * before sending a frame; readers wait after reading one before reading the next, which
 * (with libp2p's flow control underneath) slows the sender. Waits run on the injected clock.
 */
export class RateLimiter {
  private readonly caps: RateCaps
  private readonly clock: Clock
  private total: Record<Direction, Bucket | undefined> = { up: undefined, down: undefined }
  private readonly perPeer = new Map<string, Bucket>()

  constructor (caps: RateCaps, clock: Clock) {
    this.caps = caps
    this.clock = clock
  }

  get active (): boolean {
    return this.caps.uploadBps > 0 || this.caps.downloadBps > 0 || this.caps.peerUploadBps > 0 || this.caps.peerDownloadBps > 0
  }

  async upload (peer: PeerKey, bytes: number): Promise<void> {
    await this.wait(this.delay('up', peer, bytes))
  }

  async download (peer: PeerKey, bytes: number): Promise<void> {
    await this.wait(this.delay('down', peer, bytes))
  }

  /** A peer gone for good releases its buckets. */
  forget (peer: PeerKey): void {
    this.perPeer.delete(`up:${peer}`)
    this.perPeer.delete(`down:${peer}`)
  }

  private delay (dir: Direction, peer: PeerKey, bytes: number): number {
    const now = this.clock.now()
    let wait = 0
    const totalRate = dir === 'up' ? this.caps.uploadBps : this.caps.downloadBps
    if (totalRate > 0) {
      const depth = depthOf(totalRate)
      const r = takeTokens(this.total[dir] ?? fullBucket(now, depth), now, bytes, totalRate, depth)
      this.total[dir] = r.bucket
      wait = Math.max(wait, r.waitMs)
    }
    const peerRate = dir === 'up' ? this.caps.peerUploadBps : this.caps.peerDownloadBps
    if (peerRate > 0) {
      const depth = depthOf(peerRate)
      const key = `${dir}:${peer}`
      const r = takeTokens(this.perPeer.get(key) ?? fullBucket(now, depth), now, bytes, peerRate, depth)
      this.perPeer.set(key, r.bucket)
      wait = Math.max(wait, r.waitMs)
    }
    return wait
  }

  private async wait (ms: number): Promise<void> {
    if (ms <= 0) return
    await new Promise<void>(resolve => { this.clock.setTimer(ms, resolve) })
  }
}

function depthOf (rate: number): number {
  return Math.max(1, (rate * RATE_BURST_MS) / 1000)
}
