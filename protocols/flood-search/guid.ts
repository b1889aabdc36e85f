import type { Random } from '../../node/ports/random.ts'
import { WireError } from '../../node/errors.ts'
import { GUID_BYTES } from './constants.ts'

declare const guidBrand: unique symbol
/** A descriptor id: 16 bytes on the wire, 32 lowercase hex characters in memory (a Map key). */
export type Guid = string & { readonly [guidBrand]: true }

const HEX = /^[0-9a-f]{32}$/

/** A fresh GUID from the injected random port (seeded in the simulator, OS-seeded on a real peer). */
export function newGuid (random: Random): Guid {
  return guidFromBytes(random.bytes(GUID_BYTES))
}

export function guidFromBytes (b: Uint8Array): Guid {
  if (b.length !== GUID_BYTES) throw new WireError('invalid', `guid must be ${GUID_BYTES} bytes, got ${b.length}`)
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s as Guid
}

export function guidToBytes (g: Guid): Uint8Array {
  const out = new Uint8Array(GUID_BYTES)
  for (let i = 0; i < GUID_BYTES; i++) out[i] = parseInt(g.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Parse a GUID typed by a person or read from JSON. */
export function parseGuid (s: string): Guid | undefined {
  const t = s.toLowerCase()
  return HEX.test(t) ? t as Guid : undefined
}
