/**
 * peerhive's public API: start peers and swarms, and the types to write protocols and
 * tests against.
 *
 * A swarm in a mocha test, in five lines:
 *
 * ```ts
 * import { createSwarm } from 'peerhive'
 * const swarm = await createSwarm({ size: 50, transport: 'memory' })
 * after(async () => { await swarm.stop() })
 * await swarm.waitConnected({ minConnections: 3, timeoutMs: 30_000 })
 * const dht = swarm.peers[0].services.get('dht') // each protocol's API by module name
 * ```
 *
 * One real peer: `const peer = await createPeer(loadedConfig)`, then `peer.status()`,
 * `peer.stop()`. Use `transport: 'tcp'` for real sockets on 127.0.0.1 and
 * `config: { dht: { enabled: false } }` to switch a module off in every peer.
 */
export { createPeer, type CreatePeerOptions, type RuntimePeer } from './peer.ts'
export { createSwarm, swarmBaseConfig, type ConfigOverrides, type Swarm, type SwarmOptions, type WaitOptions } from './swarm.ts'
export { bootstrapConfig, startBootstrap, BOOTSTRAP_DEFAULT_PORT, DEFAULT_BOOTSTRAP_LIST } from '../bootstrap/index.ts'
export { defaultConfig, peerSchema, type PeerConfig } from '../config/peer-config.ts'
export type { Peer, PeerStatus } from './peer-types.ts'
export { ServiceRegistry, type ProtocolModule, type InstallContext, type ControlMethod } from './plugin.ts'
export type * from './contracts.ts'
export { ActorSystem, type ActorStatus, type SpawnOptions } from './kernel/system.ts'
export type { Actor, ActorComponents, ActorFactory, ActorRef, ActorState, Reply } from './kernel/actor.ts'
export type { Clock, Timer } from './ports/clock.ts'
export { SystemClock } from './ports/system-clock.ts'
export { VirtualClock } from './ports/virtual-clock.ts'
export { SeededRandom, cryptoSeededRandom, type Random } from './ports/random.ts'
export { MemoryStore } from './ports/memory-store.ts'
export { getJson, putJson, type Store, type StoreOp, type RangeOptions } from './ports/store.ts'
export { asPeerKey, type NetEvent, type NetPort, type PeerKey, type RequestOptions, type Responder } from './ports/net.ts'
export type { NetProvider } from './ports/net-provider.ts'
export { createLogger, stderrSink, MemorySink, silentLogger, type Logger, type LogLevel, type LogRecord, type LogSink } from './ports/logger.ts'
export type { Codec, WireProtocol } from './wire/codec.ts'
export { ByteReader, ByteWriter } from './wire/bytes.ts'
export { PeerhiveError, WireError, NetError, ActorError, ConfigError } from './errors.ts'
