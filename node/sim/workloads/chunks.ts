import type { ProtocolModule } from '../../plugin.ts'
import type { PeerKey } from '../../ports/net.ts'
import { chunksModule, type ChunksApi } from '../../../protocols/chunk-exchange/index.ts'
import type { PeerRecord, RunContext, Workload } from '../workload.ts'

/** Small defaults: the textbook example needs F/u = 1 h of virtual time, not a big file. */
export const CHUNKS_DEFAULT_FILE_BYTES = 1 << 20
export const CHUNKS_DEFAULT_CHUNK_SIZE = 64 * 1024
export const CHUNKS_DEFAULT_BLOCK_SIZE = 16 * 1024

/**
 * File distribution: seeds share one file made of seeded random bytes (`shareBytes`, so
 * the chunks live in the store), the first seed runs the tracker, and every other peer
 * `get`s the link and keeps seeding once complete (as the D_P2P model assumes). A peer
 * completes when its transfer is verified complete. Free-riders are peers whose group
 * gives them (almost) no upload capacity.
 */
export function chunksWorkload (): Workload {
  let link: string | undefined
  let chunks = 0
  const waiting: PeerRecord[] = []
  const have = new Map<string, number>()
  let goals = 0
  let reached = 0
  let data: Uint8Array | undefined
  return {
    name: 'chunks',
    modules: (): ReadonlyArray<ProtocolModule<any, any>> => [chunksModule],
    config: (rec, run) => {
      const f = run.scenario.file
      return {
        dht: { enabled: false },
        search: { enabled: false },
        relay: { enabled: false },
        chunks: {
          chunkSize: f?.chunkSize ?? CHUNKS_DEFAULT_CHUNK_SIZE,
          blockSize: f?.blockSize ?? CHUNKS_DEFAULT_BLOCK_SIZE,
          ...(rec.id === firstSeed(run) ? { tracker: true } : {})
        }
      }
    },
    setup (run) {
      const size = run.scenario.file?.sizeBytes ?? CHUNKS_DEFAULT_FILE_BYTES
      data = run.random.fork('file').bytes(size)
      const chunkSize = run.scenario.file?.chunkSize ?? CHUNKS_DEFAULT_CHUNK_SIZE
      chunks = Math.ceil(size / chunkSize)
      goals = [...run.peers.values()].filter(r => r.role !== 'seed').length
    },
    async onStart (rec, run) {
      const api = rec.peer?.services.get<ChunksApi>('chunks')
      if (api === undefined) throw new Error(`${rec.id}: chunks module not installed`)
      if (rec.role === 'seed') {
        const res = await api.shareBytes('sim-file.bin', data as Uint8Array, { chunkSize: run.scenario.file?.chunkSize ?? CHUNKS_DEFAULT_CHUNK_SIZE })
        if (link === undefined) {
          link = res.link
          run.note('shared', rec.id, { link: res.link, chunks: res.manifest.chunks })
          for (const w of waiting.splice(0)) fetch(w, run)
        }
        return
      }
      if (link === undefined) waiting.push(rec)
      else fetch(rec, run)
    },
    done: () => reached >= goals,
    sample: (): Record<string, number> => {
      let copies = 0
      for (const v of have.values()) copies += v
      return chunks === 0 ? {} : { availabilityMean: copies / chunks }
    },
    summary: () => ({ chunks, fileBytes: data?.length ?? 0 })
  }

  function fetch (rec: PeerRecord, run: RunContext): void {
    const api = rec.peer?.services.get<ChunksApi>('chunks') as ChunksApi
    const incarnation = rec.peer
    void (async () => {
      try {
        // The tracker is the first seed, reached as a bootstrap peer (chunks.trackers empty: ask connected peers).
        run.net.connect(rec.id as PeerKey, firstSeed(run) as PeerKey)
        const h = await api.get(link as string, { seed: true })
        const watch = (async () => { for await (const p of h.progress) have.set(rec.id, p.chunksHave) })()
        const final = await h.done
        have.set(rec.id, final.chunksHave)
        await watch.catch(() => {})
        if (rec.completedAt === undefined && rec.peer === incarnation && rec.peer?.state === 'running') {
          // Before the last completion ends the run: what spreading the file cost each seed.
          if (reached + 1 === goals) await recordSpread(run)
          reached++
          run.complete(rec.id, { uploaded: final.uploaded })
        }
      } catch (err) {
        if (rec.peer?.state === 'running') run.note('get-failed', rec.id, { message: (err as Error).message.slice(0, 120) })
      }
    })()
  }
}

/** Each running seed's `uploadedToSpread` (super-seeding's cost, Progress) as its `uploadedToSpread` figure. */
async function recordSpread (run: RunContext): Promise<void> {
  for (const r of run.peers.values()) {
    if (r.role !== 'seed' || r.peer?.state !== 'running') continue
    const t = (await (r.peer.services.get<ChunksApi>('chunks') as ChunksApi).status()).transfers[0]
    if (t?.uploadedToSpread !== undefined) r.figures.uploadedToSpread = t.uploadedToSpread
  }
}

function firstSeed (run: RunContext): string {
  for (const r of run.peers.values()) if (r.role === 'seed') return r.id
  return ''
}
