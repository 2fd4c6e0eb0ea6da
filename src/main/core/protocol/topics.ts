import { bytesToNumberBE } from '@noble/curves/utils.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { decompressPublicKey } from '../primitives/secp256k1'
import { symKeyFromPassword } from '../whisper/password'
import { topicFromString } from '../whisper/topic'

/**
 * Topic strings and Whisper symmetric keys of status-go's filters manager
 * (spec §2.3/§2.4). Every topic is keccak256(string)[0:4]; symmetric keys are
 * geth's PBKDF2 of the same string, so a topic's string is also its password.
 */

/** status-go's partition count for first-contact 1:1 topics. */
export const PARTITION_COUNT = 5000n

/** Legacy 2019 generic discovery topic string; only listened to for old clients. */
export const GENERIC_DISCOVERY_TOPIC_STRING = 'contact-discovery'

function uncompressedHex(publicKey: Uint8Array): string {
  return bytesToHex(decompressPublicKey(publicKey))
}

export function publicChatTopic(name: string): Uint8Array {
  return topicFromString(name)
}

export function publicChatSymKey(name: string): Promise<Uint8Array> {
  return symKeyFromPassword(name)
}

/** "0x" + hex(65-byte key) + "-contact-code": where a user's bundle is advertised. */
export function contactCodeTopicString(publicKey: Uint8Array): string {
  return `0x${uncompressedHex(publicKey)}-contact-code`
}

export function contactCodeTopic(publicKey: Uint8Array): Uint8Array {
  return topicFromString(contactCodeTopicString(publicKey))
}

export function contactCodeSymKey(publicKey: Uint8Array): Promise<Uint8Array> {
  return symKeyFromPassword(contactCodeTopicString(publicKey))
}

/** X mod 5000 of the recipient's key: the partition its first-contact messages go to. */
export function partitionOf(publicKey: Uint8Array): number {
  const x = bytesToNumberBE(decompressPublicKey(publicKey).subarray(1, 33))
  return Number(x % PARTITION_COUNT)
}

export function partitionedTopicString(publicKey: Uint8Array): string {
  return `${GENERIC_DISCOVERY_TOPIC_STRING}-${partitionOf(publicKey)}`
}

/** Asymmetric (ECIES to the recipient) topic for 1:1 messages before a shared secret is agreed. */
export function partitionedTopic(publicKey: Uint8Array): Uint8Array {
  return topicFromString(partitionedTopicString(publicKey))
}

/** "contact-discovery-" + hex(65-byte key) without 0x; status-go listens on it but nothing sends there. */
export function personalDiscoveryTopic(publicKey: Uint8Array): Uint8Array {
  return topicFromString(`${GENERIC_DISCOVERY_TOPIC_STRING}-${uncompressedHex(publicKey)}`)
}

export function genericDiscoveryTopic(): Uint8Array {
  return topicFromString(GENERIC_DISCOVERY_TOPIC_STRING)
}

function negotiatedPassword(sharedSecret: Uint8Array): string {
  if (sharedSecret.length !== 32) {
    throw new RangeError(`negotiated shared secret must be 32 bytes, got ${sharedSecret.length}`)
  }
  return bytesToHex(sharedSecret)
}

/** Symmetric 1:1 topic from the static-static ECDH secret: lowercase hex, no 0x. */
export function negotiatedTopic(sharedSecret: Uint8Array): Uint8Array {
  return topicFromString(negotiatedPassword(sharedSecret))
}

export function negotiatedSymKey(sharedSecret: Uint8Array): Promise<Uint8Array> {
  return symKeyFromPassword(negotiatedPassword(sharedSecret))
}
