import { createCipheriv, createDecipheriv } from 'node:crypto'
import { concatBytes } from '@noble/hashes/utils.js'
import { CryptoError } from './crypto-error'

export const AES_KEY_LENGTH = 32
export const AES_NONCE_LENGTH = 12
const TAG_LENGTH = 16

function assertKeyLength(key: Uint8Array): void {
  if (key.length !== AES_KEY_LENGTH) {
    throw new CryptoError('INVALID_KEY', `AES-256-GCM key must be ${AES_KEY_LENGTH} bytes, got ${key.length}`)
  }
}

/**
 * AES-256-GCM without associated data, in the layout Whisper v6 and Status's DH fallback share:
 * ciphertext ‖ tag(16) ‖ nonce(12).
 */
export function aesGcmSeal(key: Uint8Array, plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
  assertKeyLength(key)
  if (nonce.length !== AES_NONCE_LENGTH) throw new RangeError(`AES-GCM nonce must be ${AES_NONCE_LENGTH} bytes, got ${nonce.length}`)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  return concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag(), nonce)
}

/** Plaintext, or null when `data` was not sealed with this key (or is malformed). */
export function aesGcmOpen(key: Uint8Array, data: Uint8Array): Uint8Array | null {
  assertKeyLength(key)
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
