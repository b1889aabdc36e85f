import type { PeerKey } from '../../node/ports/net.ts'
import type { Workload } from '../../node/sim/workload.ts'
import { blobModule, type BlobApi } from './blob-protocol.ts'

/** Test workload: every leecher pulls the blob from seed-0 and completes when it has it. */
export function blobWorkload (opts: { blocks: number, blockSize: number, window: number }): Workload {
  let pending = 0
  return {
    name: 'blob',
    modules: () => [blobModule(opts)],
    onStart (rec, run) {
      if (rec.role !== 'leecher') return
      const api = rec.peer?.services.get<BlobApi>('blob')
      if (api === undefined) throw new Error('blob module missing')
      pending++
      api.fetch('seed-0' as PeerKey).then(() => { pending--; run.complete(rec.id) }, () => { pending-- })
    },
    done: (run) => pending === 0 && [...run.peers.values()].every(r => r.role !== 'leecher' || r.completedAt !== undefined || r.peer?.state !== 'running')
  }
}
