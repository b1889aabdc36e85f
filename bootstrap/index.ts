import { defaultConfig, peerSchema, type PeerConfig } from '../config/peer-config.ts'
import { overlay } from '../config/schema.ts'
import { createPeer, type CreatePeerOptions, type RuntimePeer } from '../node/peer.ts'
import type { ConfigOverrides } from '../node/swarm.ts'
export { DEFAULT_BOOTSTRAP_LIST } from './default-list.ts'

/** The port a bootstrap peer listens on unless told otherwise: libp2p's customary 4001, so lists stay short to write. */
export const BOOTSTRAP_DEFAULT_PORT = 4001
/** Its data dir: a stable identity lives there, so its printed multiaddrs stay valid across restarts. */
export const BOOTSTRAP_DEFAULT_DATA_DIR = '.peerhive-bootstrap'

/**
 * A bootstrap peer's config: a well-known peer that everyone dials first. It keeps its
 * identity in its data dir, listens on a fixed port, accepts many more connections (every
 * joining peer lands on it), and does not dial out to fill a table of its own. It also
 * takes the chunk tracker role where the chunk exchange offers one (`chunks.tracker`).
 */
export function bootstrapConfig (overrides: ConfigOverrides = {}): PeerConfig {
  const c = defaultConfig()
  c.node.dataDir = BOOTSTRAP_DEFAULT_DATA_DIR
  c.net.listen = [`/ip4/0.0.0.0/tcp/${BOOTSTRAP_DEFAULT_PORT}`]
  c.net.lowWater = 0
  c.net.highWater = 2_000
  c.net.inboundConnectionThreshold = 100
  c.net.maxIncomingPendingConnections = 200
  const chunks = c.chunks as Record<string, unknown>
  if ('tracker' in peerSchema.chunks) chunks.tracker = true
  return overlay(peerSchema, c, overrides, 'bootstrap config')
}

/** Start a bootstrap peer; prints nothing (the CLI prints `peer.multiaddrs()`). */
export async function startBootstrap (config: PeerConfig = bootstrapConfig(), opts: CreatePeerOptions = {}): Promise<RuntimePeer> {
  return await createPeer(config, opts)
}
