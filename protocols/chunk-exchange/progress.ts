import type { Link } from './manifest.ts'

export type TransferState = 'finding' | 'downloading' | 'seeding' | 'complete' | 'stopped' | 'failed'

/** One snapshot of a transfer, as `get` streams it and `status` lists it. */
export interface Progress {
  link: Link
  name: string
  size: number
  state: TransferState
  chunks: number
  chunksHave: number
  bytesHave: number
  /** Bytes/s over the rate window. */
  downRate: number
  upRate: number
  downloaded: number
  uploaded: number
  /**
   * A super-seeding seed's upload when every chunk had first reached some other peer: what
   * getting the swarm going cost it (about one copy when super-seeding works). Absent until then.
   */
  uploadedToSpread?: number
  peers: number
  /** Seconds left at the current download rate, or null when unknown. */
  etaSec: number | null
  location: string
  error?: string
}
