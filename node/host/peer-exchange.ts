import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../ports/logger.ts'
import type { Random } from '../ports/random.ts'
import { PEX_MAX_MESSAGE_BYTES, PEX_MAX_PEERS, PEX_TIMEOUT_MS } from './constants.ts'
import { PEX_PROTOCOL, decodePexPeers, encodePexPeers, type PexPeer } from './pex-messages.ts'

/**
 * Peer exchange: ask a connected peer for a sample of the peers it is connected to (with
 * their listen addresses) so the connection keeper has someone to dial beyond the
 * bootstrap list. libp2p 3 has no such built-in, and our DHT is a protocol actor that a
 * peer may not run.
 */
export class PeerExchange {
  private readonly libp2p: Libp2p
  private readonly random: Random
  private readonly log: Logger
  private readonly isBanned: (peer: string) => boolean

  constructor (libp2p: Libp2p, random: Random, log: Logger, isBanned: (peer: string) => boolean) {
    this.libp2p = libp2p
    this.random = random
    this.log = log
    this.isBanned = isBanned
  }

  async start (): Promise<void> {
    await this.libp2p.handle(PEX_PROTOCOL, (stream: Stream, conn: Connection) => { void this.answer(stream, conn) }, { runOnLimitedConnection: true, maxInboundStreams: 2, maxOutboundStreams: 2 })
  }

  /** A random sample of our connected peers with their addresses, excluding the asker. */
  async sample (exclude: string): Promise<PexPeer[]> {
    const peers = this.random.shuffle(this.libp2p.getPeers().filter(p => p.toString() !== exclude))
    const out: PexPeer[] = []
    for (const p of peers) {
      if (out.length >= PEX_MAX_PEERS) break
      const stored = await this.libp2p.peerStore.get(p).catch(() => undefined)
      const addrs = stored?.addresses.map(a => a.multiaddr.toString()) ?? []
      if (addrs.length > 0) out.push({ id: p.toString(), addrs })
    }
    return out
  }

  private async answer (stream: Stream, conn: Connection): Promise<void> {
    try {
      const lp = lpStream(stream, { maxDataLength: PEX_MAX_MESSAGE_BYTES })
      await lp.write(encodePexPeers(await this.sample(conn.remotePeer.toString())), { signal: AbortSignal.timeout(PEX_TIMEOUT_MS) })
      await stream.close({ signal: AbortSignal.timeout(PEX_TIMEOUT_MS) })
    } catch (err) {
      this.log.debug('pex answer failed', { peer: conn.remotePeer.toString(), error: err as Error })
      stream.abort(err as Error)
    }
  }

  /** Ask `peer` for peers; merges them into the peer store and returns how many were new. */
  async ask (peer: PeerId): Promise<PexPeer[]> {
    const signal = AbortSignal.timeout(PEX_TIMEOUT_MS)
    const stream = await this.libp2p.dialProtocol(peer, PEX_PROTOCOL, { signal, runOnLimitedConnection: true })
    let peers: PexPeer[]
    try {
      const lp = lpStream(stream, { maxDataLength: PEX_MAX_MESSAGE_BYTES })
      peers = decodePexPeers((await lp.read({ signal })).subarray())
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
    const self = this.libp2p.peerId.toString()
    const fresh: PexPeer[] = []
    for (const p of peers) {
      if (p.id === self || this.isBanned(p.id)) continue
      let id: PeerId
      try { id = peerIdFromString(p.id) } catch { continue }
      const addrs = p.addrs.flatMap(a => { try { return [multiaddr(a)] } catch { return [] } })
      if (addrs.length === 0) continue
      await this.libp2p.peerStore.merge(id, { multiaddrs: addrs })
      fresh.push(p)
    }
    return fresh
  }
}
