import { sha512 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { type ChatKey, compressedChatKey } from './chat-key'

/** Scheme version: hashed into every half and carried by the verification QR payload. */
export const SAFETY_NUMBER_VERSION = 1
const ITERATIONS = 5200
const CHUNKS = 6
const CHUNK_BYTES = 5
const CHUNK_MODULUS = 100_000
const GROUP_DIGITS = 5

export interface SafetyNumber {
  /** 60 digits: both halves, lower half first, so both people see the same number. */
  digits: string
  /** `digits` as 12 groups of 5 for display. */
  groups: string[]
  /** Our 30-digit half. */
  ours: string
  /** Their 30-digit half. */
  theirs: string
}

/** The safety number for a pair of chat keys (33 or 65 bytes, or hex); see docs/safety-number.md. */
export function safetyNumber(ourKey: ChatKey, theirKey: ChatKey): SafetyNumber {
  const ours = safetyNumberHalf(ourKey)
  const theirs = safetyNumberHalf(theirKey)
  const digits = ours <= theirs ? ours + theirs : theirs + ours
  return { digits, groups: groupsOf(digits), ours, theirs }
}

/**
 * One person's 30 digits. The chat key is hashed in compressed form so that the 33- and 65-byte
 * encodings of a key give the same number; it also stands in for Signal's stable identifier, since
 * in Status the key is the identity.
 */
export function safetyNumberHalf(key: ChatKey): string {
  const compressed = compressedChatKey(key)
  const version = new Uint8Array([SAFETY_NUMBER_VERSION >> 8, SAFETY_NUMBER_VERSION & 0xff])
  let digest = concatBytes(version, compressed, compressed)
  for (let i = 0; i < ITERATIONS; i++) digest = sha512.create().update(digest).update(compressed).digest()
  let half = ''
  for (let chunk = 0; chunk < CHUNKS; chunk++) half += chunkDigits(digest.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES))
  return half
}

function chunkDigits(bytes: Uint8Array): string {
  // 40 bits fit exactly in a double.
  let value = 0
  for (const byte of bytes) value = value * 256 + byte
  return (value % CHUNK_MODULUS).toString().padStart(GROUP_DIGITS, '0')
}

function groupsOf(digits: string): string[] {
  const groups: string[] = []
  for (let i = 0; i < digits.length; i += GROUP_DIGITS) groups.push(digits.slice(i, i + GROUP_DIGITS))
  return groups
}
