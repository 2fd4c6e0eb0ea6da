import { bytesToHex, concatBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'

/**
 * Status message id: keccak256(author's uncompressed 65-byte key ‖ the
 * ApplicationMetadataMessage bytes exactly as sent/received), as "0x…" hex.
 * status-go's comment says "compressed" but its code hashes the 65-byte key.
 */
export function messageId(authorPublicKey: Uint8Array, wrapperBytes: Uint8Array): string {
  if (authorPublicKey.length !== 65 || authorPublicKey[0] !== 0x04) {
    throw new RangeError('message id needs the 65-byte uncompressed author key')
  }
  return '0x' + bytesToHex(keccak256(concatBytes(authorPublicKey, wrapperBytes)))
}
