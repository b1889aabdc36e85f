import { bool, int, strList, type SectionValue } from '../../config/schema.ts'
import {
  DEFAULT_ANNOUNCE_INTERVAL_MS, DEFAULT_BAN_AFTER_BAD_CHUNKS, DEFAULT_BLOCK_SIZE, DEFAULT_CHUNK_SIZE, DEFAULT_CONTROL_REQUEST_TIMEOUT_MS,
  DEFAULT_KEEPALIVE_INTERVAL_MS, DEFAULT_MAX_SWARM_PEERS, DEFAULT_OPTIMISTIC_INTERVAL_MS, DEFAULT_PIPELINE_DEPTH, DEFAULT_RANDOM_FIRST_CHUNKS,
  DEFAULT_RATE_WINDOW_MS, DEFAULT_RECHOKE_INTERVAL_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_TRACKER_NUMWANT, DEFAULT_TRACKER_TTL_MS,
  DEFAULT_UPLOAD_SLOTS, DEFAULT_UPLOADS_IN_FLIGHT, MAX_BLOCK_SIZE, MAX_CHUNK_SIZE, MIN_BLOCK_SIZE
} from './constants.ts'

/** The `chunks` config section; every default comes from constants.ts. */
export const chunksSection = {
  enabled: bool({ default: true, doc: 'Run the chunk exchange on this peer.' }),
  chunkSize: int({ default: DEFAULT_CHUNK_SIZE, min: MIN_BLOCK_SIZE, max: MAX_CHUNK_SIZE, doc: 'Bytes per chunk of files this peer shares (each chunk is hashed; the manifest lists the hashes).' }),
  blockSize: int({ default: DEFAULT_BLOCK_SIZE, min: MIN_BLOCK_SIZE, max: MAX_BLOCK_SIZE, doc: 'Bytes per request/piece block.' }),
  uploadSlots: int({ default: DEFAULT_UPLOAD_SLOTS, min: 1, max: 64, doc: 'Peers unchoked by rate (tit-for-tat), besides the optimistic unchoke.' }),
  rechokeIntervalMs: int({ default: DEFAULT_RECHOKE_INTERVAL_MS, min: 100, doc: 'How often the unchoked set is re-evaluated.' }),
  optimisticUnchokeIntervalMs: int({ default: DEFAULT_OPTIMISTIC_INTERVAL_MS, min: 100, doc: 'How often the optimistic unchoke rotates (a multiple of rechokeIntervalMs).' }),
  rateWindowMs: int({ default: DEFAULT_RATE_WINDOW_MS, min: 1000, doc: 'Window of the transfer-rate averages the choker ranks by.' }),
  pipelineDepth: int({ default: DEFAULT_PIPELINE_DEPTH, min: 1, max: 256, doc: 'Block requests outstanding per peer.' }),
  uploadsInFlight: int({ default: DEFAULT_UPLOADS_IN_FLIGHT, min: 1, max: 256, doc: 'Pieces handed to the transport per peer at once; more requests wait in the actor, where cancel and choke still apply.' }),
  randomFirstChunks: int({ default: DEFAULT_RANDOM_FIRST_CHUNKS, min: 0, doc: 'Chunks picked at random (not rarest) while fewer than this many are complete.' }),
  requestTimeoutMs: int({ default: DEFAULT_REQUEST_TIMEOUT_MS, min: 100, doc: 'Blocks requested from a peer that sends nothing for this long are asked of others.' }),
  keepAliveIntervalMs: int({ default: DEFAULT_KEEPALIVE_INTERVAL_MS, min: 100, doc: 'Keep-alive to a swarm peer after this much silence.' }),
  maxSwarmPeers: int({ default: DEFAULT_MAX_SWARM_PEERS, min: 1, doc: 'Peers kept per swarm.' }),
  banAfterBadChunks: int({ default: DEFAULT_BAN_AFTER_BAD_CHUNKS, min: 1, doc: 'Chunks failing verification a peer may supply before it is banned for the session.' }),
  upload: bool({ default: true, doc: 'false: never unchoke anyone (a leech-only peer, e.g. to measure how tit-for-tat treats free-riders).' }),
  superSeed: bool({ default: true, doc: 'A peer sharing a complete file offers each peer only chunks the swarm lacks (BitTorrent super-seeding), the least spread first, while its upload has other work; it never idles for it, and ends once every chunk is in the swarm.' }),
  uploadCacheChunks: int({ default: 16, min: 0, doc: 'Verified chunks kept in memory to serve uploads (0 for memory-light simulations).' }),
  tracker: bool({ default: false, doc: 'Run the tracker role: keep per-link peer lists for others (the bootstrap peer does).' }),
  trackers: strList({ default: [], doc: 'Tracker peers (multiaddrs ending in /p2p/<id>). Empty: ask every connected peer (the bootstrap peer answers).', item: s => s.startsWith('/'), expected: 'a list of multiaddrs' }),
  announceIntervalMs: int({ default: DEFAULT_ANNOUNCE_INTERVAL_MS, min: 100, doc: 'Re-announce every swarm to the trackers this often.' }),
  trackerTtlMs: int({ default: DEFAULT_TRACKER_TTL_MS, min: 100, doc: 'A tracker forgets a peer this long after its last announce.' }),
  trackerNumwant: int({ default: DEFAULT_TRACKER_NUMWANT, min: 1, max: 200, doc: 'Peers a tracker returns per announce.' }),
  controlRequestTimeoutMs: int({ default: DEFAULT_CONTROL_REQUEST_TIMEOUT_MS, min: 100, doc: 'Deadline of a manifest fetch or tracker announce.' })
}

export type ChunksConfig = SectionValue<typeof chunksSection>
