/**
 * Lower bounds on the time to distribute a file of F bytes from one server (upload u_s)
 * to N clients (download d_min at the slowest), in seconds (Kurose & Ross, ch. 2):
 *
 *   client-server: D_cs   = max(N·F / u_s, F / d_min)
 *   peer-to-peer:  D_P2P  = max(F / u_s, F / d_min, N·F / (u_s + Σ u_i))
 *
 * A d_min of 0 means unlimited downloads (that term drops out).
 */
export interface DistributionInput {
  fileBytes: number
  n: number
  serverUploadBps: number
  /** Slowest client download, bytes/s (0: unlimited). */
  minDownloadBps: number
  /** Sum of the clients' upload capacities, bytes/s. */
  sumClientUploadBps: number
}

export function clientServerBound (i: DistributionInput): number {
  const down = i.minDownloadBps > 0 ? i.fileBytes / i.minDownloadBps : 0
  return Math.max((i.n * i.fileBytes) / i.serverUploadBps, down)
}

export function p2pBound (i: DistributionInput): number {
  const down = i.minDownloadBps > 0 ? i.fileBytes / i.minDownloadBps : 0
  return Math.max(i.fileBytes / i.serverUploadBps, down, (i.n * i.fileBytes) / (i.serverUploadBps + i.sumClientUploadBps))
}
