import assert from 'node:assert/strict'
import { RLP, type NestedUint8Array } from '@ethereumjs/rlp'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { BLOOM_LENGTH } from '../../src/main/core/whisper/bloom'
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../../src/main/core/whisper/envelope'
import { WhisperError } from '../../src/main/core/whisper/errors'
import {
  decodeMessagesRequest,
  decodeRequestComplete,
  decodeRequestPayload,
  encodeMessagesRequest,
  encodeRequestComplete,
  encodeRequestError,
  encodeRequestPayload,
  normalizeQuery
} from '../../src/main/core/whisper/mailserver-codec'
import {
  ShhProtocolError,
  decodePowBits,
  encodePowBits,
  encodeRawList,
  encodeStatus,
  parseStatus,
  splitP2PMessages,
  splitRawList
} from '../../src/main/core/whisper/shh-protocol'
import { assertProperty, mutated, onlyThrows } from './harness'

const uint32 = fc.oneof(fc.constantFrom(0, 1, 127, 128, 255, 256, 0xffff_ffff), fc.integer({ min: 0, max: 0xffff_ffff }))
const envelope: fc.Arbitrary<Envelope> = fc.record({
  expiry: uint32,
  ttl: uint32,
  topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  data: fc.oneof(fc.uint8Array({ maxLength: 3 }), fc.uint8Array({ maxLength: 600 })),
  nonce: fc.oneof(fc.constantFrom(0n, 1n, 127n, 128n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }))
})
const encodedEnvelope = envelope.map(encodeEnvelope)
/** Lists of 5 loosely typed items: right shape, wrong contents. */
const nearEnvelope = fc
  .array(fc.oneof(fc.uint8Array({ maxLength: 10 }), fc.constant([] as NestedUint8Array), fc.array(fc.uint8Array({ maxLength: 4 }), { maxLength: 2 })), { minLength: 4, maxLength: 6 })
  .map((items) => RLP.encode(items as NestedUint8Array))
const envelopeInput = fc.oneof(mutated(encodedEnvelope), mutated(nearEnvelope))

describe('envelope decoder', () => {
  it('decodes what it encodes', () => {
    assertProperty('envelope round trip', 1000, fc.property(envelope, (e) => {
      assert.deepEqual(decodeEnvelope(encodeEnvelope(e)), { ...e })
    }))
  })

  it('throws only WhisperError, and whatever it accepts re-encodes to the same bytes', () => {
    assertProperty('envelope decode', 3000, fc.property(envelopeInput, (bytes) => {
      const decoded = onlyThrows(() => decodeEnvelope(bytes), WhisperError)
      if (decoded) assert.equal(Buffer.from(encodeEnvelope(decoded)).equals(bytes), true)
    }))
  })
})

const pow = fc.oneof(fc.constantFrom(0, 0.002, 0.2, 1, Number.MAX_VALUE, Number.MIN_VALUE), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }))
const bloom = fc.oneof(fc.constant(null), fc.uint8Array({ minLength: BLOOM_LENGTH, maxLength: BLOOM_LENGTH }))
const statusInput = fc.oneof(
  mutated(fc.record({ pow, bloom, light: fc.boolean() }).map(encodeStatus)),
  mutated(fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 5 }).map((items) => RLP.encode(items)))
)
const rawItems = fc.array(fc.oneof(encodedEnvelope, fc.uint8Array({ maxLength: 40 }).map((b) => RLP.encode(b))), { maxLength: 5 })

describe('shh/6 packet decoders', () => {
  it('read PoW values back exactly and refuse anything else with ShhProtocolError', () => {
    assertProperty('pow bits round trip', 2000, fc.property(pow, (value) => {
      assert.equal(Object.is(decodePowBits(encodePowBits(value)), value === 0 ? 0 : value), true)
    }))
    assertProperty('pow bits decode', 2000, fc.property(fc.uint8Array({ maxLength: 10 }), (bytes) => {
      const value = onlyThrows(() => decodePowBits(bytes), ShhProtocolError)
      if (value !== undefined) assert.equal(Number.isFinite(value) && value >= 0, true)
    }))
  })

  it('parse what they encode as Status and throw only ShhProtocolError on anything else', () => {
    assertProperty('status round trip', 1000, fc.property(pow, bloom, fc.boolean(), (p, b, light) => {
      const status = parseStatus(encodeStatus({ pow: p, bloom: b, light }))
      assert.equal(status.pow, p)
      assert.equal(status.light, light)
      assert.equal(status.bloom === null ? null : Buffer.from(status.bloom).toString('hex'), 
        b === null || b.every((x) => x === 0xff) ? null : Buffer.from(b).toString('hex')
      )
    }))
    assertProperty('status decode', 3000, fc.property(statusInput, (bytes) => {
      const status = onlyThrows(() => parseStatus(bytes), ShhProtocolError)
      if (status) {
        assert.equal(status.version, 6)
        assert.equal(Number.isFinite(status.pow) && status.pow >= 0, true)
        assert.equal(status.bloom === null || status.bloom.length === BLOOM_LENGTH, true)
      }
    }))
  })

  it('split envelope lists into the exact bytes sent, and throw only ShhProtocolError on bad framing', () => {
    assertProperty('raw list round trip', 1000, fc.property(rawItems, (items) => {
      const split = splitRawList(encodeRawList(items), 'Messages packet')
      assert.deepEqual(split.map((b) => Buffer.from(b).toString('hex')), items.map((b) => Buffer.from(b).toString('hex')))
    }))
    assertProperty('raw list decode', 3000, fc.property(mutated(rawItems.map(encodeRawList)), (bytes) => {
      const items = onlyThrows(() => splitRawList(bytes, 'Messages packet'), ShhProtocolError)
      if (items) assert.ok(items.reduce((n, item) => n + item.length, 0) < bytes.length)
      const p2p = onlyThrows(() => splitP2PMessages(bytes), ShhProtocolError)
      for (const item of p2p ?? []) assert.ok(item.length <= bytes.length)
    }))
  })
})

const query = fc.record({
  lower: uint32,
  upper: uint32,
  bloom: fc.uint8Array({ minLength: BLOOM_LENGTH, maxLength: BLOOM_LENGTH }),
  limit: uint32,
  cursor: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 36, maxLength: 36 }))
})
const request = fc.tuple(query, fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([q, id]) => ({ ...q, id }))
const rlpOrNull = (bytes: Uint8Array) => {
  try {
    return RLP.decode(bytes)
  } catch {
    return null
  }
}

describe('mailserver codec', () => {
  it('round-trips requests, payloads and completions', () => {
    assertProperty('mailserver round trip', 1000, fc.property(request, fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ maxLength: 40 }), (req, hash, message) => {
      assert.deepEqual(decodeMessagesRequest(RLP.decode(encodeMessagesRequest(req))), req)
      const { id: _id, ...q } = req
      assert.deepEqual(decodeRequestPayload(encodeRequestPayload(q)), q)
      assert.deepEqual(decodeRequestComplete(encodeRequestComplete(req.id, hash, req.cursor)), { kind: 'ok', requestId: req.id, lastEnvelopeHash: hash, cursor: req.cursor })
      assert.deepEqual(decodeRequestComplete(encodeRequestError(req.id, message)), { kind: 'error', requestId: req.id, message })
    }))
  })

  it('throws only WhisperError on any request, payload or completion bytes', () => {
    const requestBytes = fc.oneof(mutated(request.map(encodeMessagesRequest)), mutated(query.map(encodeRequestPayload)))
    assertProperty('mailserver decode', 3000, fc.property(requestBytes, fc.integer({ min: 0, max: 0xffff_ffff }), (bytes, now) => {
      const item = rlpOrNull(bytes)
      if (item !== null) onlyThrows(() => decodeMessagesRequest(item), WhisperError)
      const q = onlyThrows(() => decodeRequestPayload(bytes), WhisperError)
      if (q) onlyThrows(() => normalizeQuery(q, now), WhisperError)
      onlyThrows(() => decodeRequestComplete(bytes), WhisperError)
    }))
  })
})
