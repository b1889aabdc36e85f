import { Bitfield } from './bitfield.ts'
import { chunkLength, type Manifest } from './manifest.ts'
import type { SwarmMsg } from './messages.ts'

/**
 * Checks a decoded swarm message against the swarm's manifest: chunk index in range,
 * block inside its chunk, block no longer than our block size, bitfield of the exact
 * length with clear spare bits. Returns the reason it is invalid, or undefined.
 * The codec already bounded every field; this is the part that needs the manifest.
 */
export function invalidFor (m: SwarmMsg, manifest: Manifest, maxBlock: number): string | undefined {
  const count = manifest.hashes.length
  switch (m.type) {
    case 'bitfield':
      return Bitfield.sparesClear(count, m.bits) ? undefined : `bitfield of ${m.bits.length} bytes does not fit ${count} chunks`
    case 'have':
      return m.index < count ? undefined : `have index ${m.index} out of range (${count} chunks)`
    case 'request':
    case 'cancel':
      return blockCheck(m.index, m.begin, m.length, manifest, maxBlock)
    case 'piece':
      return blockCheck(m.index, m.begin, m.data.length, manifest, maxBlock)
    default:
      return undefined
  }
}

function blockCheck (index: number, begin: number, length: number, manifest: Manifest, maxBlock: number): string | undefined {
  if (index >= manifest.hashes.length) return `chunk ${index} out of range (${manifest.hashes.length} chunks)`
  if (length > maxBlock) return `block of ${length} bytes exceeds ${maxBlock}`
  const len = chunkLength(manifest, index)
  if (begin + length > len) return `block ${begin}+${length} outside chunk ${index} of ${len} bytes`
  return undefined
}
