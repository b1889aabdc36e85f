import { bool, int, oneOf } from '../../config/schema.ts'
import * as C from './constants.ts'

/** The `dht` config section; defaults are the documented constants. */
export const dhtSection = {
  enabled: bool({ default: true, doc: 'Run the Chord DHT on this peer.' }),
  idBits: int({ default: C.DEFAULT_ID_BITS, min: 3, max: 256, doc: 'Ring width m: ids are SHA-256 truncated to m bits (small m only for tests).' }),
  successors: int({ default: C.DEFAULT_SUCCESSORS, min: 2, max: 32, doc: 'Successor list length r (about log2 of the expected peer count).' }),
  replicas: int({ default: C.DEFAULT_REPLICAS, min: 0, max: 32, doc: 'Copies of each pair on the owner\'s first successors (at most `successors`).' }),
  stabilizeMs: int({ default: C.DEFAULT_STABILIZE_MS, min: 1, doc: 'Stabilize period (ask the successor for its predecessor and list, then rectify).' }),
  fixFingersMs: int({ default: C.DEFAULT_FIX_FINGERS_MS, min: 1, doc: 'Fix-fingers period (one finger lookup per tick).' }),
  checkPredecessorMs: int({ default: C.DEFAULT_CHECK_PREDECESSOR_MS, min: 1, doc: 'Predecessor liveness check period.' }),
  pingSuccessorsMs: int({ default: C.DEFAULT_PING_SUCCESSORS_MS, min: 1, doc: 'Period of pinging every successor-list entry.' }),
  repairMs: int({ default: C.DEFAULT_REPAIR_MS, min: 1, doc: 'Replica repair period (owners offer their keys to their replica holders).' }),
  republishMs: int({ default: C.DEFAULT_REPUBLISH_MS, min: 1, doc: 'Provider record republish period.' }),
  providerTtlMs: int({ default: C.DEFAULT_PROVIDER_TTL_MS, min: 1, doc: 'Provider record lifetime at the holders.' }),
  rpcTimeoutMs: int({ default: C.DEFAULT_RPC_TIMEOUT_MS, min: 1, doc: 'Deadline of one DHT request.' }),
  lookupTimeoutMs: int({ default: C.DEFAULT_LOOKUP_TIMEOUT_MS, min: 1, doc: 'Deadline of a whole lookup.' }),
  lookupMaxHops: int({ default: C.DEFAULT_LOOKUP_MAX_HOPS, min: 1, max: 1024, doc: 'Hop limit of one lookup.' }),
  maxValueBytes: int({ default: C.DEFAULT_MAX_VALUE_BYTES, min: 1, max: C.MAX_VALUE_BYTES_LIMIT, doc: 'Largest value accepted by put.' }),
  addrScope: oneOf({ default: 'all', values: ['all', 'public'] as const, doc: 'Addresses shared in peer and provider records: all (LAN, tests: keeps loopback and private) or public only.' })
}
