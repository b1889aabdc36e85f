import type { PeerKey } from './net.ts'

/**
 * The signing port: what a protocol may do with the peer's identity key, and nothing
 * more. A signature binds a statement (a name claim...) to the peer that made it, so it
 * can be checked by anyone it is passed on to, not only by the peer that received it over
 * an authenticated connection.
 *
 * On a real peer (node/host/identity-signer.ts) it signs with the peer's Ed25519 identity
 * key and verifies with the public key embedded in the signer's peer id; in the simulator
 * (node/ports/seeded-signer.ts) each peer key has a key pair derived from it.
 */
export interface Signer {
  /** This peer's signature over `data`. */
  sign(data: Uint8Array): Promise<Uint8Array>
  /**
   * Whether `sig` over `data` was made with `peer`'s identity key. False (never a throw)
   * for a bad signature or a peer id that embeds no usable key.
   */
  verify(peer: PeerKey, data: Uint8Array, sig: Uint8Array): Promise<boolean>
}
