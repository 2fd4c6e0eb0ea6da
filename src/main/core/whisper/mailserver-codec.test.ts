import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { FULL_BLOOM, topicToBloom } from './bloom'
import { WhisperError } from './errors'
import {
  decodeMessagesRequest,
  decodeRequestComplete,
  decodeRequestPayload,
  encodeMessagesRequest,
  encodeRequestComplete,
  encodeRequestError,
  encodeRequestPayload,
  normalizeQuery
} from './mailserver-codec'

const ID = new Uint8Array(32).fill(0x11)
const BLOOM = topicToBloom(hexToBytes('cd423760'))
const CURSOR = new Uint8Array(36).fill(0x22)

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof WhisperError ? e.code : `not a WhisperError: ${String(e)}`
  }
  return undefined
}

function be32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}

describe('MessagesRequest (status §2.9 form B)', () => {
  it('round-trips [id, from, to, limit, cursor, bloom]', () => {
    const req = { id: ID, lower: 1000, upper: 2000, limit: 100, cursor: CURSOR, bloom: BLOOM }
    const encoded = encodeMessagesRequest(req)
    expect(RLP.decode(encoded)).toEqual([ID, hexToBytes('03e8'), hexToBytes('07d0'), hexToBytes('64'), CURSOR, BLOOM])
    expect(decodeMessagesRequest(RLP.decode(encoded))).toEqual(req)
  })

  it('rejects malformed requests', () => {
    expect(code(() => decodeMessagesRequest(RLP.decode(RLP.encode([ID, 1, 2, 3, new Uint8Array(0)]))))).toBe('bad-request')
    expect(code(() => decodeMessagesRequest(RLP.decode(RLP.encode([ID.subarray(1), 1, 2, 3, new Uint8Array(0), BLOOM]))))).toBe('bad-request')
    expect(code(() => decodeMessagesRequest(RLP.decode(RLP.encode([ID, 1, 2, 3, new Uint8Array(5), BLOOM]))))).toBe('bad-request')
    expect(code(() => decodeMessagesRequest(RLP.decode(RLP.encode([ID, 1, 2, 3, new Uint8Array(0), new Uint8Array(10)]))))).toBe('bad-request')
    expect(code(() => decodeMessagesRequest(RLP.decode(RLP.encode([ID, 2 ** 32, 2, 3, new Uint8Array(0), BLOOM]))))).toBe('bad-request')
    expect(decodeMessagesRequest(RLP.decode(RLP.encode([ID, 1, 2, 3, new Uint8Array(0), new Uint8Array(0)]))).bloom).toEqual(FULL_BLOOM)
  })
})

describe('envelope-form payloads (status §2.9 form A, geth mailserver)', () => {
  it('our RLP form round-trips', () => {
    const q = { lower: 5, upper: 9, bloom: BLOOM, limit: 50, cursor: CURSOR }
    expect(decodeRequestPayload(encodeRequestPayload(q))).toEqual(q)
  })

  it('accepts the 5-item and the 7-item (with topics) status-go layouts', () => {
    const five = RLP.encode([5, 9, BLOOM, 50, new Uint8Array(0)])
    expect(decodeRequestPayload(five)).toEqual({ lower: 5, upper: 9, bloom: BLOOM, limit: 50, cursor: new Uint8Array(0) })
    const seven = RLP.encode([5, 9, BLOOM, [hexToBytes('cd423760')], 50, CURSOR, 1])
    expect(decodeRequestPayload(seven)).toEqual({ lower: 5, upper: 9, bloom: BLOOM, limit: 50, cursor: CURSOR })
  })

  it('accepts the binary geth form: 8 bytes = full bloom; 72, 76, 112 bytes; rejects 9..71', () => {
    expect(decodeRequestPayload(concatBytes(be32(100), be32(200)))).toEqual({ lower: 100, upper: 200, bloom: FULL_BLOOM, limit: 0, cursor: new Uint8Array(0) })
    expect(decodeRequestPayload(concatBytes(be32(100), be32(200), BLOOM)).bloom).toEqual(BLOOM)
    expect(decodeRequestPayload(concatBytes(be32(100), be32(200), BLOOM, be32(7))).limit).toBe(7)
    expect(decodeRequestPayload(concatBytes(be32(100), be32(200), BLOOM, be32(7), CURSOR)).cursor).toEqual(CURSOR)
    expect(code(() => decodeRequestPayload(new Uint8Array(9).fill(1)))).toBe('bad-request')
    expect(code(() => decodeRequestPayload(new Uint8Array(71).fill(1)))).toBe('bad-request')
  })

  it('normalises like status-go: limit, upper 0, range and order checks', () => {
    const q = { lower: 1000, upper: 0, bloom: BLOOM, limit: 0, cursor: new Uint8Array(0) }
    expect(normalizeQuery(q, 2000)).toMatchObject({ upper: 2060, limit: 1000 })
    expect(normalizeQuery({ ...q, upper: 1500, limit: 5000 }, 2000).limit).toBe(1000)
    expect(code(() => normalizeQuery({ ...q, upper: 999 }, 2000))).toBe('bad-request')
    expect(code(() => normalizeQuery({ ...q, upper: 1000 + 24 * 3600 + 1 }, 2000))).toBe('bad-request')
  })
})

describe('request completion (code 125)', () => {
  it('ok form with and without cursor', () => {
    const hash = new Uint8Array(32).fill(0x33)
    const ok = encodeRequestComplete(ID, hash, CURSOR)
    expect(ok).toHaveLength(100)
    expect(decodeRequestComplete(ok)).toEqual({ kind: 'ok', requestId: ID, lastEnvelopeHash: hash, cursor: CURSOR })
    expect(decodeRequestComplete(encodeRequestComplete(ID, hash, new Uint8Array(0)))).toMatchObject({ kind: 'ok', cursor: new Uint8Array(0) })
  })

  it('error form', () => {
    const err = encodeRequestError(ID, 'query range too big')
    expect(bytesToHex(err.subarray(0, 6))).toBe(bytesToHex(utf8ToBytes('ERROR=')))
    expect(decodeRequestComplete(err)).toEqual({ kind: 'error', requestId: ID, message: 'query range too big' })
  })

  it('rejects other lengths', () => {
    expect(code(() => decodeRequestComplete(new Uint8Array(63)))).toBe('bad-request')
    expect(code(() => decodeRequestComplete(new Uint8Array(65)))).toBe('bad-request')
  })
})
