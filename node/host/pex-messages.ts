import { WireError } from '../errors.ts'
import { ByteReader, ByteWriter } from '../wire/bytes.ts'
import { PEX_MAX_ADDRS_PER_PEER, PEX_MAX_MESSAGE_BYTES, PEX_MAX_PEERS } from './constants.ts'

/** Peer exchange: the host's own tiny protocol that lets the connection keeper learn peers. */
export const PEX_PROTOCOL = '/peerhive/pex/1.0.0'

export interface PexPeer {
  id: string
  addrs: string[]
}

/** Longest peer id string (base58 of an identity or sha256 multihash is well below). */
const MAX_ID_BYTES = 128
/** Longest multiaddr string accepted. */
const MAX_ADDR_BYTES = 256

/**
 * The answer to a peer-exchange request (the request is the stream being opened):
 *
 *   varint  count                 number of peers, at most PEX_MAX_PEERS (32)
 *   count times:
 *     string  id                  varint length + UTF-8 peer id (<= 128 bytes)
 *     varint  naddrs              at most PEX_MAX_ADDRS_PER_PEER (8)
 *     naddrs times: string addr   varint length + UTF-8 multiaddr (<= 256 bytes)
 */
export function encodePexPeers (peers: PexPeer[]): Uint8Array {
  const w = new ByteWriter(256)
  const list = peers.slice(0, PEX_MAX_PEERS)
  w.varint(list.length)
  for (const p of list) {
    w.string(p.id)
    const addrs = p.addrs.slice(0, PEX_MAX_ADDRS_PER_PEER)
    w.varint(addrs.length)
    for (const a of addrs) w.string(a)
  }
  const out = w.finish()
  if (out.length > PEX_MAX_MESSAGE_BYTES) throw new WireError('oversized', `pex answer of ${out.length} bytes`)
  return out
}

export function decodePexPeers (bytes: Uint8Array): PexPeer[] {
  if (bytes.length > PEX_MAX_MESSAGE_BYTES) throw new WireError('oversized', `pex answer of ${bytes.length} bytes exceeds ${PEX_MAX_MESSAGE_BYTES}`)
  const r = new ByteReader(bytes, 'pex')
  const n = r.varint('count', PEX_MAX_PEERS)
  const out: PexPeer[] = []
  for (let i = 0; i < n; i++) {
    const id = r.string('id', MAX_ID_BYTES)
    const na = r.varint('naddrs', PEX_MAX_ADDRS_PER_PEER)
    const addrs: string[] = []
    for (let j = 0; j < na; j++) {
      const a = r.string('addr', MAX_ADDR_BYTES)
      if (!a.startsWith('/')) throw new WireError('invalid', `pex: address ${JSON.stringify(a)} is not a multiaddr`)
      addrs.push(a)
    }
    out.push({ id, addrs })
  }
  r.end()
  return out
}
