import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { Store } from '../ports/store.ts'

/** Key of the peer's private key in the `identity` sublevel. */
export const IDENTITY_KEY = 'private-key'

/** A store that can fsync one write (LevelStore); plain stores just put. */
interface MaybeDurable extends Store {
  putDurable?: (key: string, value: Uint8Array) => Promise<void>
}

/**
 * The peer's Ed25519 key, kept in its store so a restarted peer (even after kill -9)
 * has the same PeerId. Created on first start and written with fsync before the peer
 * announces itself: an id others saw must never change.
 */
export async function loadOrCreateIdentity (store: MaybeDurable): Promise<{ key: PrivateKey, created: boolean }> {
  const raw = await store.get(IDENTITY_KEY)
  if (raw !== undefined) return { key: privateKeyFromProtobuf(raw), created: false }
  const key = await generateKeyPair('Ed25519')
  const bytes = privateKeyToProtobuf(key)
  if (store.putDurable !== undefined) await store.putDurable(IDENTITY_KEY, bytes)
  else await store.put(IDENTITY_KEY, bytes)
  return { key, created: true }
}
