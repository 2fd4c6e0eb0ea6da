import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import { concatBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { RlpFormatError, readRlpListSpans, readRlpSpan, type RlpSpan } from '../p2p/rlp-view'
import { WhisperError } from './errors'
import { TOPIC_LENGTH } from './topic'

/** A Whisper v6 envelope (EIP-627): the unit that is pooled, relayed and archived. */
export interface Envelope {
  /** UNIX seconds (uint32). */
  expiry: number
  /** Seconds (uint32). */
  ttl: number
  /** Exactly 4 bytes. */
  topic: Uint8Array
  /** The encrypted payload. */
  data: Uint8Array
  /** uint64. */
  nonce: bigint
}

/** geth's EnvelopeHeaderLength: the fixed overhead counted by size limits. */
export const ENVELOPE_HEADER_LENGTH = 20

const UINT32_MAX = 0xffff_ffff
const UINT64_MAX = (1n << 64n) - 1n

type RlpItem = Uint8Array | NestedUint8Array

/** RLP `[expiry, ttl, topic, data, nonce]` with canonical (minimal) integers. */
export function encodeEnvelope(e: Envelope): Uint8Array {
  assertEnvelopeRanges(e)
  return RLP.encode([e.expiry, e.ttl, e.topic, e.data, e.nonce])
}

/** RLP `[expiry, ttl, topic, data]`: the PoW pre-image prefix (geth `rlpWithoutNonce`). */
export function encodeEnvelopeWithoutNonce(e: Omit<Envelope, 'nonce'>): Uint8Array {
  return concatBytes(shortRlpHead(e), e.data)
}

/**
 * The bytes of `encodeEnvelopeWithoutNonce(e)` that precede the data's own bytes, so a PoW check can
 * hash head ‖ data ‖ nonce without copying the data (the relay checks every envelope it receives).
 */
export function shortRlpHead(e: Omit<Envelope, 'nonce'>): Uint8Array {
  const dataHeader = stringHeaderLength(e.data)
  const fields = uintLength(e.expiry) + uintLength(e.ttl) + stringHeaderLength(e.topic) + e.topic.length + dataHeader
  const payload = fields + e.data.length
  const head = new Uint8Array(lengthHeaderLength(payload) + fields)
  let offset = writeLengthHeader(head, 0, 0xc0, payload)
  offset = writeUint(head, offset, e.expiry)
  offset = writeUint(head, offset, e.ttl)
  offset = writeStringHeader(head, offset, e.topic)
  head.set(e.topic, offset)
  writeStringHeader(head, offset + e.topic.length, e.data)
  return head
}

/** A byte string of one byte below 0x80 is its own encoding; every other string has a length header. */
function stringHeaderLength(bytes: Uint8Array): number {
  return bytes.length === 1 && (bytes[0] as number) < 0x80 ? 0 : lengthHeaderLength(bytes.length)
}

function writeStringHeader(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  return stringHeaderLength(bytes) === 0 ? offset : writeLengthHeader(out, offset, 0x80, bytes.length)
}

function lengthHeaderLength(length: number): number {
  return length < 56 ? 1 : 1 + byteLength(length)
}

function writeLengthHeader(out: Uint8Array, offset: number, base: number, length: number): number {
  if (length < 56) {
    out[offset] = base + length
    return offset + 1
  }
  const n = byteLength(length)
  out[offset] = base + 55 + n
  return writeBigEndian(out, offset + 1, length, n)
}

/** A canonical RLP integer takes one byte below 128, else a header byte plus its minimal big-endian bytes. */
function uintLength(value: number): number {
  return value > 0 && value < 0x80 ? 1 : 1 + byteLength(value)
}

function writeUint(out: Uint8Array, offset: number, value: number): number {
  if (value > 0 && value < 0x80) {
    out[offset] = value
    return offset + 1
  }
  const n = byteLength(value)
  out[offset] = 0x80 + n
  return writeBigEndian(out, offset + 1, value, n)
}

function byteLength(value: number): number {
  let n = 0
  for (let v = value; v > 0; v = Math.floor(v / 256)) n++
  return n
}

function writeBigEndian(out: Uint8Array, offset: number, value: number, n: number): number {
  for (let i = n - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[offset + i] = v % 256
  return offset + n
}

/**
 * Strict decode of an envelope's RLP: exactly five items, canonical integers within uint32/uint64,
 * a 4-byte topic; anything else throws a WhisperError, so a peer's bad bytes can never become an
 * Envelope. Topic and data are views into `input`, not copies (a relay decodes every envelope).
 */
export function decodeEnvelope(input: Uint8Array): Envelope {
  let items: RlpSpan[]
  try {
    // Empty input is an empty byte string to RLP, hence not a list.
    const outer = input.length === 0 ? null : readRlpSpan(input, 0)
    if (outer !== null && outer.end !== input.length) throw new RlpFormatError('trailing bytes after the RLP item')
    if (outer === null || !outer.list) throw new WhisperError('bad-envelope', 'envelope must be an RLP list')
    items = readRlpListSpans(input, outer)
  } catch (cause) {
    if (!(cause instanceof RlpFormatError)) throw cause
    throw new WhisperError('bad-rlp', `envelope is not valid RLP: ${cause.message}`, { cause })
  }
  if (items.length !== 5) {
    throw new WhisperError('bad-envelope', `envelope must have 5 items, got ${items.length}`)
  }
  const [expiry, ttl, topic, data, nonce] = items as [RlpSpan, RlpSpan, RlpSpan, RlpSpan, RlpSpan]
  const topicBytes = fieldBytes(input, topic, 'topic')
  if (topicBytes.length !== TOPIC_LENGTH) {
    throw new WhisperError('bad-envelope', `topic must be ${TOPIC_LENGTH} bytes, got ${topicBytes.length}`)
  }
  return {
    expiry: Number(uintOf(fieldBytes(input, expiry, 'expiry'), 4, 'expiry')),
    ttl: Number(uintOf(fieldBytes(input, ttl, 'ttl'), 4, 'ttl')),
    topic: topicBytes,
    data: fieldBytes(input, data, 'data'),
    nonce: uintOf(fieldBytes(input, nonce, 'nonce'), 8, 'nonce')
  }
}

function fieldBytes(input: Uint8Array, span: RlpSpan, field: string): Uint8Array {
  if (span.list) throw new WhisperError('bad-envelope', `${field} must be a byte string`)
  return input.subarray(span.payload, span.end)
}

/**
 * A canonical RLP unsigned integer of at most `maxBytes` bytes (no leading zero byte, zero = empty).
 * geth's decoder refuses non-canonical integers, so we do too.
 */
export function decodeUint(item: RlpItem, maxBytes: number, field: string): bigint {
  return uintOf(bytesField(item, field), maxBytes, field)
}

function uintOf(bytes: Uint8Array, maxBytes: number, field: string): bigint {
  if (bytes.length > maxBytes) {
    throw new WhisperError('bad-envelope', `${field} exceeds ${maxBytes * 8} bits`)
  }
  if (bytes.length > 0 && bytes[0] === 0) {
    throw new WhisperError('bad-envelope', `${field} is not a canonical integer (leading zero)`)
  }
  // Whole numbers up to 6 bytes are exact in a double; only the top two bytes of a nonce need BigInt.
  const low = Math.max(0, bytes.length - 6)
  let lowValue = 0
  for (let i = low; i < bytes.length; i++) lowValue = lowValue * 256 + (bytes[i] as number)
  if (low === 0) return BigInt(lowValue)
  let high = 0
  for (let i = 0; i < low; i++) high = high * 256 + (bytes[i] as number)
  return (BigInt(high) << 48n) | BigInt(lowValue)
}

/** keccak256 of the full envelope RLP: the envelope's id. */
export function envelopeHash(encoded: Uint8Array): Uint8Array {
  return keccak256(encoded)
}

/** Size counted against the max message size: 20 + len(data). */
export function envelopeSize(e: Pick<Envelope, 'data'>): number {
  return ENVELOPE_HEADER_LENGTH + e.data.length
}

/** Expiry − TTL with geth's uint32 wrap-around. */
export function sentTime(e: Pick<Envelope, 'expiry' | 'ttl'>): number {
  return (e.expiry - e.ttl) >>> 0
}

/** Throws unless the numeric fields fit their wire types (guards locally built envelopes). */
export function assertEnvelopeRanges(e: Envelope): void {
  for (const [name, v] of [['expiry', e.expiry], ['ttl', e.ttl]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) {
      throw new WhisperError('bad-argument', `${name} must be a uint32, got ${v}`)
    }
  }
  if (e.nonce < 0n || e.nonce > UINT64_MAX) throw new WhisperError('bad-argument', 'nonce must be a uint64')
  if (e.topic.length !== TOPIC_LENGTH) throw new WhisperError('bad-topic', 'topic must be 4 bytes')
}

function bytesField(item: RlpItem, field: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new WhisperError('bad-envelope', `${field} must be a byte string`)
  return item
}
