import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerKey } from '../ports/net.ts'
import type { Signer } from '../ports/signer.ts'

/**
 * The signing port over the peer's libp2p identity key. Verification needs nothing but
 * the signer's peer id: Ed25519 (and secp256k1) ids embed their public key, so a claim
 * signed by a peer can be checked by any peer it is replicated to. An id that embeds no
 * key (RSA hashes it) cannot be verified and counts as a bad signature.
 */
export function identitySigner (key: PrivateKey): Signer {
  return {
    sign: async (data) => await key.sign(data),
    verify: async (peer: PeerKey, data, sig) => {
      try {
        const pub = peerIdFromString(peer).publicKey
        return pub !== undefined && await pub.verify(data, sig)
      } catch {
        // Not a peer id, or a malformed signature: unverifiable is unverified.
        return false
      }
    }
  }
}
