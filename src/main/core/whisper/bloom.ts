import { TOPIC_LENGTH } from './topic'
import { WhisperError } from './errors'

export const BLOOM_LENGTH = 64

/** "Accept everything": what a full node advertises. Shared: copy it before modifying. */
export const FULL_BLOOM: Uint8Array = new Uint8Array(BLOOM_LENGTH).fill(0xff)

/**
 * geth's TopicToBloom. It *assigns* the bit's byte instead of OR-ing, so when two of the three indexes
 * share a byte only the last survives. The result is always a subset of the EIP (OR) variant, so
 * peers using either variant accept it, and it matches exactly what geth forwards (spec §2.3).
 */
export function topicToBloom(topic: Uint8Array): Uint8Array {
  if (topic.length !== TOPIC_LENGTH) {
    throw new WhisperError('bad-topic', `topic must be ${TOPIC_LENGTH} bytes, got ${topic.length}`)
  }
  const bloom = new Uint8Array(BLOOM_LENGTH)
  const high = topic[3] as number
  for (let j = 0; j < 3; j++) {
    const index = (topic[j] as number) + ((high & (1 << j)) !== 0 ? 256 : 0)
    bloom[index >> 3] = 1 << (index & 7)
  }
  return bloom
}

/** Aggregate interest: bitwise OR. */
export function mergeBlooms(...blooms: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(BLOOM_LENGTH)
  for (const bloom of blooms) {
    checkLength(bloom)
    for (let i = 0; i < BLOOM_LENGTH; i++) out[i] = (out[i] as number) | (bloom[i] as number)
  }
  return out
}

/** OR of the geth blooms of every topic (what a mailserver request or a node advertisement carries). */
export function topicsToBloom(topics: Iterable<Uint8Array>): Uint8Array {
  return mergeBlooms(...Array.from(topics, topicToBloom))
}

/** `sample ⊆ filter`; a null filter accepts everything. */
export function bloomMatches(filter: Uint8Array | null, sample: Uint8Array): boolean {
  if (filter === null) return true
  checkLength(filter)
  checkLength(sample)
  for (let i = 0; i < BLOOM_LENGTH; i++) {
    const f = filter[i] as number
    if ((f | (sample[i] as number)) !== f) return false
  }
  return true
}

export function isFullBloom(bloom: Uint8Array): boolean {
  return bloom.length === BLOOM_LENGTH && bloom.every((b) => b === 0xff)
}

function checkLength(bloom: Uint8Array): void {
  if (bloom.length !== BLOOM_LENGTH) {
    throw new WhisperError('bad-argument', `bloom must be ${BLOOM_LENGTH} bytes, got ${bloom.length}`)
  }
}
