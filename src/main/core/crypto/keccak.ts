import { keccak_256 } from '@noble/hashes/sha3.js'

/** Keccak-256 (the pre-standard SHA-3 used everywhere in Ethereum and Status). */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data)
}
