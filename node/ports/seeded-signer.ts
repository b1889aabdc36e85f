import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { PeerKey } from './net.ts'
import type { Signer } from './signer.ts'

/**
 * The signing port in the simulator, where peer keys are short names ('A', 'S1') that
 * embed no public key. Each peer key gets an Ed25519 key pair derived from
 * (seed, peer key), and verification derives the claimed signer's public key the same
 * way: the sim's stand-in for "the id embeds the key". Real signatures, so a peer signing
 * with its own key for another's name is refused exactly as on libp2p. Test-only keys:
 * anyone knowing the seed can derive them.
 */
export class SeededSigner implements Signer {
  private readonly self: PeerKey
  private readonly seed: string
  private static readonly keys = new Map<string, Promise<Ed25519PrivateKey>>()

  constructor (self: PeerKey, seed: string | number = 'peerhive-sim') {
    this.self = self
    this.seed = String(seed)
  }

  async sign (data: Uint8Array): Promise<Uint8Array> {
    return await (await this.keyOf(this.self)).sign(data)
  }

  async verify (peer: PeerKey, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
    try {
      return await (await this.keyOf(peer)).publicKey.verify(data, sig)
    } catch {
      return false
    }
  }

  private async keyOf (peer: PeerKey): Promise<Ed25519PrivateKey> {
    const id = `${this.seed}\u0000${peer}`
    let k = SeededSigner.keys.get(id)
    if (k === undefined) {
      // Bounded by the peers of a run; a cache so a 10,000-peer run derives each key once.
      k = generateKeyPairFromSeed('Ed25519', createHash('sha256').update(id).digest())
      SeededSigner.keys.set(id, k)
    }
    return await k
  }
}
