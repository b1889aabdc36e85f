import type { PeerKey } from '../../node/ports/net.ts'
import type { Signer } from '../../node/ports/signer.ts'

/**
 * A signed name claim: "peer P owns name N and is reachable at these addresses, as of T",
 * signed with P's identity key. Every supernode checks the signature against P's key
 * before storing or replicating an entry, so no supernode (or child) can invent an entry
 * for another key or point someone's name at other addresses. It does not decide who
 * claimed a name first: that stays the directory's first-claim rule (directory.ts).
 */
export interface SignedClaim {
  name: string
  peer: PeerKey
  addrs: string[]
  /** On the claimant's clock: a newer claim replaces an older one of the same peer. */
  issuedAt: number
  sig: Uint8Array
}

/** Domain separation: these bytes can never be mistaken for another signed statement. */
const DOMAIN = 'peerhive/relay/name-claim/1'

/**
 * The signed bytes: domain, lower-cased name, peer, each address, issuedAt, joined by NUL
 * (which none of them can contain: names and multiaddrs are printable, checked on the wire).
 */
export function claimBytes (c: Omit<SignedClaim, 'sig'>): Uint8Array {
  return new TextEncoder().encode([DOMAIN, c.name.toLowerCase(), c.peer, ...c.addrs, String(Math.floor(c.issuedAt))].join('\u0000'))
}

export async function signClaim (signer: Signer, c: Omit<SignedClaim, 'sig'>): Promise<SignedClaim> {
  return { ...c, issuedAt: Math.floor(c.issuedAt), sig: await signer.sign(claimBytes(c)) }
}

/** Whether `c` was signed by `c.peer`; an empty signature never verifies. */
export async function verifyClaim (signer: Signer, c: SignedClaim): Promise<boolean> {
  if (c.sig.length === 0) return false
  return await signer.verify(c.peer, claimBytes(c), c.sig)
}
