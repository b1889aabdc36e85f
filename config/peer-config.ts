import { bool, defaults, int, oneOf, str, strList, type SchemaValue } from './schema.ts'
import { chunksSection } from '../protocols/chunk-exchange/config.ts'
import { dhtSection } from '../protocols/dht/config.ts'
import { searchSection } from '../protocols/flood-search/config.ts'
import { relaySection } from '../protocols/relay/config.ts'

const multiaddrLike = (s: string): boolean => s.startsWith('/')

export const nodeSection = {
  name: str({ default: '', doc: 'User name announced in the supernode directory (empty: none).', pattern: /^$|^[a-z0-9][a-z0-9._-]{0,63}$/i, expected: 'empty or a name of letters, digits, . _ - (at most 64)' }),
  dataDir: str({ default: '.peerhive', doc: 'Data directory: LevelDB store, identity key, control token.' }),
  logLevel: oneOf({ default: 'info', values: ['debug', 'info', 'warn', 'error'] as const, doc: 'Least severe log level printed.' }),
  logFormat: oneOf({ default: 'text', values: ['text', 'json'] as const, doc: 'Log lines as text or JSON (on stderr).' })
}

export const netSection = {
  transport: oneOf({ default: 'tcp', values: ['tcp', 'memory'] as const, doc: 'tcp for real peers; memory for in-process swarms.' }),
  listen: strList({ default: ['/ip4/0.0.0.0/tcp/0'], doc: 'Multiaddrs to listen on.', item: multiaddrLike, expected: 'a list of multiaddrs' }),
  announce: strList({ default: [], doc: 'Multiaddrs to announce instead of the listen addresses.', item: multiaddrLike, expected: 'a list of multiaddrs' }),
  bootstrap: strList({ default: [], doc: 'Bootstrap peers (multiaddrs ending in /p2p/<id>) dialled on start.', item: multiaddrLike, expected: 'a list of multiaddrs' }),
  mdns: bool({ default: false, doc: 'Find peers on the LAN by mDNS multicast (on in config/lan.json).' }),
  lowWater: int({ default: 8, min: 0, doc: 'Below this many connections the peer dials more known peers.' }),
  highWater: int({ default: 100, min: 1, doc: 'libp2p maxConnections: above this the connection manager prunes.' }),
  inboundConnectionThreshold: int({ default: 5, min: 1, doc: 'Inbound connections accepted per second from one host (libp2p default 5; raise for swarms on one machine).' }),
  maxIncomingPendingConnections: int({ default: 10, min: 1, doc: 'Inbound connections allowed to be mid-upgrade at once.' }),
  allow: strList({ default: [], doc: 'Multiaddr prefixes exempt from connection limits (e.g. /ip4/127.0.0.1 on a LAN test rig).', item: multiaddrLike, expected: 'a list of multiaddr prefixes' }),
  uploadBps: int({ default: 0, min: 0, doc: 'Total upload cap in bytes/s over all protocols (0: none).' }),
  downloadBps: int({ default: 0, min: 0, doc: 'Total download cap in bytes/s (0: none).' }),
  peerUploadBps: int({ default: 0, min: 0, doc: 'Upload cap per remote peer in bytes/s (0: none).' }),
  peerDownloadBps: int({ default: 0, min: 0, doc: 'Download cap per remote peer in bytes/s (0: none).' }),
  strikeLimit: int({ default: 5, min: 1, doc: 'Malformed frames or failed verifications before a peer is disconnected and banned for the session.' }),
  requestTimeoutMs: int({ default: 10_000, min: 1, doc: 'Default deadline of a protocol request.' }),
  dialTimeoutMs: int({ default: 10_000, min: 1, doc: 'Deadline of one dial.' }),
  connectionPingMs: int({ default: 10_000, min: 0, doc: 'libp2p connection monitor: ping every connection this often and abort one whose ping times out (libp2p default 10 s; 0: off, for in-process swarms where thousands of connections share one event loop).' })
}

export const controlSection = {
  enabled: bool({ default: true, doc: 'Serve the JSON control API on 127.0.0.1 (CLI, scripts, dashboard).' }),
  port: int({ default: 0, min: 0, max: 65535, doc: 'Control API port (0: any free port; the port and token are written to the data directory).' })
}

/** The one schema: core sections plus one per protocol, each owned by its module. */
export const peerSchema = {
  node: nodeSection,
  net: netSection,
  control: controlSection,
  dht: dhtSection,
  chunks: chunksSection,
  search: searchSection,
  relay: relaySection
}

export type PeerConfig = SchemaValue<typeof peerSchema>

export function defaultConfig (): PeerConfig {
  return defaults(peerSchema)
}
