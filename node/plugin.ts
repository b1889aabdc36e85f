import type { ActorSystem } from './kernel/system.ts'
import type { Logger } from './ports/logger.ts'
import type { PeerKey } from './ports/net.ts'
import type { Signer } from './ports/signer.ts'

/**
 * How a protocol plugs into a peer, real or simulated. The peer installs modules in order;
 * each spawns its actor(s) on the given system and returns its programmatic API, which
 * later modules can use (search reads the chunk exchange's catalogue, the chunk exchange
 * asks the DHT for providers). The control API and CLI expose `control` methods as
 * `<name>.<method>`.
 */
export interface ProtocolModule<Api = unknown, Cfg = unknown> {
  /** Actor name, config section and API namespace: 'chunks', 'dht', 'search', 'relay'. */
  readonly name: string
  install(ctx: InstallContext<Cfg>): Api | Promise<Api>
  /** Control API methods. Returning an AsyncIterable streams results as NDJSON. */
  readonly control?: Record<string, ControlMethod<Api>>
}

export type ControlMethod<Api> = (api: Api, params: Record<string, unknown>) => Promise<unknown> | AsyncIterable<unknown>

export interface InstallContext<Cfg> {
  system: ActorSystem
  /** This module's config section. */
  config: Cfg
  /** APIs of modules installed before this one, by name. */
  services: ServiceRegistry
  self: PeerKey
  logger: Logger
  /** The peer's data directory (undefined in the simulator: everything stays in the store). */
  dataDir?: string
  /** Signs with this peer's identity key and verifies other peers' signatures (absent: the module cannot sign). */
  signer?: Signer
  /** This peer's user name (`node.name`); absent or empty when it has none. */
  peerName?: string
}

export class ServiceRegistry {
  private readonly apis = new Map<string, unknown>()

  set (name: string, api: unknown): void {
    this.apis.set(name, api)
  }

  get<T> (name: string): T | undefined {
    return this.apis.get(name) as T | undefined
  }

  names (): string[] {
    return [...this.apis.keys()]
  }
}
