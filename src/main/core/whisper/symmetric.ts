import { createCipheriv, createDecipheriv } from 'node:crypto'
import { concatBytes } from '@noble/hashes/utils.js'
import { WhisperError } from './errors'

export const SYM_KEY_LENGTH = 32
export const AES_NONCE_LENGTH = 12
const TAG_LENGTH = 16

/** Throws unless the key is 32 bytes and not all zero (geth refuses both). */
export function assertSymKey(key: Uint8Array): void {
  if (key.length !== SYM_KEY_LENGTH) {
    throw new WhisperError('bad-key', `symmetric key must be ${SYM_KEY_LENGTH} bytes, got ${key.length}`)
  }
  if (key.every((b) => b === 0)) throw new WhisperError('bad-key', 'symmetric key is all zero')
}

/** AES-256-GCM, no associated data; Whisper's layout is ciphertext ‖ tag(16) ‖ nonce(12). */
export function encryptSymmetric(key: Uint8Array, plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
  assertSymKey(key)
  if (nonce.length !== AES_NONCE_LENGTH) {
    throw new WhisperError('bad-argument', `AES-GCM nonce must be ${AES_NONCE_LENGTH} bytes`)
  }
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  return concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag(), nonce)
}

/** Plaintext, or null when `data` was not sealed with this key (or is malformed). */
export function decryptSymmetric(key: Uint8Array, data: Uint8Array): Uint8Array | null {
  assertSymKey(key)
  if (data.length < TAG_LENGTH + AES_NONCE_LENGTH) return null
  const nonceAt = data.length - AES_NONCE_LENGTH
  const tagAt = nonceAt - TAG_LENGTH
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(nonceAt))
  decipher.setAuthTag(data.subarray(tagAt, nonceAt))
  const head = decipher.update(data.subarray(0, tagAt))
  try {
    return concatBytes(head, decipher.final())
  } catch {
    return null
  }
}
