import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { WhisperError } from './errors'

export const TOPIC_LENGTH = 4

/** Status topic for a name: the first 4 bytes of keccak256(utf8(name)). */
export function topicFromString(name: string): Uint8Array {
  return keccak256(utf8ToBytes(name)).slice(0, TOPIC_LENGTH)
}

/** geth `BytesToTopic`: shorter input is zero-padded on the right, longer input truncated. */
export function topicFromBytes(bytes: Uint8Array): Uint8Array {
  const topic = new Uint8Array(TOPIC_LENGTH)
  topic.set(bytes.subarray(0, TOPIC_LENGTH))
  return topic
}

/** `0x`-prefixed lowercase hex, the form geth prints and parses. */
export function topicToHex(topic: Uint8Array): string {
  return `0x${bytesToHex(topic)}`
}

/** Parse `0x` + 8 hex digits (the prefix is optional). */
export function topicFromHex(text: string): Uint8Array {
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) {
    throw new WhisperError('bad-topic', `topic must be 4 bytes of hex, got "${text}"`)
  }
  return hexToBytes(hex.toLowerCase())
}
