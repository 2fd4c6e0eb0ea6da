import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { TrustError } from './trust-error'

/** A chat key as callers hold it: raw bytes (33 or 65) or hex, with or without 0x. */
export type ChatKey = Uint8Array | string

/*
 * Uses noble directly rather than crypto/secp256k1, which pulls in node:crypto through ECIES:
 * trust material must also be computable in the renderer.
 */
export function compressedChatKey(key: ChatKey): Uint8Array {
  const bytes = typeof key === 'string' ? bytesOfHex(key) : key
  if (bytes.length !== 33 && bytes.length !== 65) {
    throw new TrustError('INVALID_KEY', `chat key must be 33 or 65 bytes, got ${bytes.length}`)
  }
  try {
    return secp256k1.Point.fromBytes(bytes).toBytes(true)
  } catch {
    throw new TrustError('INVALID_KEY', 'chat key is not a point on secp256k1')
  }
}

/** One string per key whatever its encoding, so 33- and 65-byte forms of a key compare equal. */
export function chatKeyIdentity(key: ChatKey): string {
  return bytesToHex(compressedChatKey(key))
}

function bytesOfHex(hex: string): Uint8Array {
  const digits = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex
  if ((digits.length !== 66 && digits.length !== 130) || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw new TrustError('INVALID_KEY', 'chat key must be 33 or 65 bytes of hex')
  }
  return hexToBytes(digits)
}
