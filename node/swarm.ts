import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultConfig, peerSchema, type PeerConfig } from '../config/peer-config.ts'
import { overlay } from '../config/schema.ts'
import { createPeer, type CreatePeerOptions, type RuntimePeer } from './peer.ts'

/** A partial config: any section, any subset of its fields. */
export type ConfigOverrides = { [S in keyof PeerConfig]?: Partial<PeerConfig[S]> }

export interface SwarmOptions {
  /** Peers besides the bootstrap peer. */
  size: number
  transport: 'memory' | 'tcp'
  /** Overrides applied to every peer (validated like a config file). */
  config?: ConfigOverrides
  /** Start a dedicated bootstrap peer that every peer dials (default true); without it peers dial the first peer. */
  bootstrap?: boolean
  /** 'memory' (default): no disk. 'level': one LevelDB per peer under `dataDir`. */
  store?: 'memory' | 'level'
  /** Root of the peers' data dirs with store 'level' (default: a temp dir removed on stop). */
  dataDir?: string
  /** Peers started at once (default 10): keeps a big swarm from starving the event loop. */
  startConcurrency?: number
  /** Passed to every createPeer (logger, modules...). */
  peerOptions?: Omit<CreatePeerOptions, 'store'>
}

export interface WaitOptions {
  /** Every peer needs at least this many connections (default min(3, size)). */
  minConnections?: number
  timeoutMs?: number
}

export interface Swarm {
  readonly peers: RuntimePeer[]
  readonly bootstrap?: RuntimePeer
  /** Every peer including the bootstrap. */
  all(): RuntimePeer[]
  /** Resolves when every peer has `minConnections` connections; rejects naming the laggards on timeout. */
  waitConnected(opts?: WaitOptions): Promise<void>
  /** Stop every peer (and remove the temp data dir). Idempotent. */
  stop(): Promise<void>
}

/** Default wait for an overlay to form. */
const DEFAULT_WAIT_MS = 30_000
/** How often waitConnected re-checks connection counts. */
const WAIT_POLL_MS = 50
const DEFAULT_START_CONCURRENCY = 10

/**
 * Settings that let many peers live on one machine: libp2p's per-host inbound rate limit
 * (5/s) would refuse most of a swarm's dials, and peers listen on loopback only.
 */
export function swarmBaseConfig (transport: 'memory' | 'tcp'): PeerConfig {
  const c = defaultConfig()
  c.node.logLevel = 'warn'
  c.control.enabled = false
  c.net.transport = transport
  c.net.listen = transport === 'tcp' ? ['/ip4/127.0.0.1/tcp/0'] : []
  c.net.inboundConnectionThreshold = 10_000
  c.net.maxIncomingPendingConnections = 1_000
  if (transport === 'tcp') c.net.allow = ['/ip4/127.0.0.1']
  return c
}

/**
 * Start a swarm in this process: a bootstrap peer plus `size` peers wired to it. On any
 * failure everything already started is stopped before the error is rethrown.
 */
export async function createSwarm (opts: SwarmOptions): Promise<Swarm> {
  if (!Number.isInteger(opts.size) || opts.size < 0) throw new RangeError(`swarm size must be a non-negative integer, got ${opts.size}`)
  const base = overlay(peerSchema, swarmBaseConfig(opts.transport), opts.config ?? {}, 'createSwarm config')
  const store = opts.store ?? 'memory'
  const ownsDir = store === 'level' && opts.dataDir === undefined
  const root = store === 'level' ? (opts.dataDir ?? await mkdtemp(join(tmpdir(), 'peerhive-swarm-'))) : undefined
  const started: RuntimePeer[] = []
  let stopping: Promise<void> | undefined
  const stopAll = async (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(started.map(async p => { await p.stop() }))
      if (ownsDir && root !== undefined) await rm(root, { recursive: true, force: true })
    })()
    await stopping
  }
  const configFor = (name: string, bootstrap: string[]): PeerConfig => {
    const c = structuredClone(base)
    c.net.bootstrap = [...c.net.bootstrap, ...bootstrap]
    if (root !== undefined) c.node.dataDir = join(root, name)
    return c
  }
  const start = async (name: string, bootstrap: string[]): Promise<RuntimePeer> => {
    const p = await createPeer(configFor(name, bootstrap), { ...opts.peerOptions, store })
    started.push(p)
    return p
  }
  try {
    let boot: RuntimePeer | undefined
    let entry: string[] = []
    if (opts.bootstrap !== false) {
      boot = await start('bootstrap', [])
      entry = boot.multiaddrs()
    }
    const peers: RuntimePeer[] = new Array(opts.size)
    let next = 0
    if (boot === undefined && opts.size > 0) {
      peers[0] = await start('peer-0', [])
      entry = peers[0].multiaddrs()
      next = 1
    }
    const workers = Array.from({ length: Math.max(1, opts.startConcurrency ?? DEFAULT_START_CONCURRENCY) }, async () => {
      while (next < opts.size) {
        const i = next++
        peers[i] = await start(`peer-${i}`, entry)
      }
    })
    await Promise.all(workers)
    return {
      peers,
      ...(boot !== undefined ? { bootstrap: boot } : {}),
      all: () => boot !== undefined ? [boot, ...peers] : [...peers],
      waitConnected: async (w: WaitOptions = {}) => { await waitConnected(boot !== undefined ? [boot, ...peers] : peers, w, Math.min(3, opts.size)) },
      stop: stopAll
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

async function waitConnected (peers: RuntimePeer[], w: WaitOptions, defaultMin: number): Promise<void> {
  const min = w.minConnections ?? defaultMin
  const timeoutMs = w.timeoutMs ?? DEFAULT_WAIT_MS
  const deadline = Date.now() + timeoutMs
  const lagging = (): RuntimePeer[] => peers.filter(p => p.libp2p.getPeers().length < min)
  for (let i = 0; i <= timeoutMs / WAIT_POLL_MS + 1; i++) {
    if (lagging().length === 0) return
    if (Date.now() >= deadline) break
    await new Promise(resolve => setTimeout(resolve, WAIT_POLL_MS))
  }
  const late = lagging()
  if (late.length === 0) return
  throw new Error(`swarm not connected after ${timeoutMs} ms: ${late.length} of ${peers.length} peers have fewer than ${min} connections (${late.slice(0, 5).map(p => `${p.id.slice(-8)}=${p.libp2p.getPeers().length}`).join(', ')}${late.length > 5 ? ', ...' : ''})`)
}
