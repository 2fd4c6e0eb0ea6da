import { AES_KEY_LENGTH } from '../primitives/aes-gcm'
import { WhisperError } from './errors'

/** Throws unless the key is 32 bytes and not all zero (geth refuses both). */
export function assertSymKey(key: Uint8Array): void {
  if (key.length !== AES_KEY_LENGTH) {
    throw new WhisperError('bad-key', `symmetric key must be ${AES_KEY_LENGTH} bytes, got ${key.length}`)
  }
  if (key.every((b) => b === 0)) throw new WhisperError('bad-key', 'symmetric key is all zero')
}
