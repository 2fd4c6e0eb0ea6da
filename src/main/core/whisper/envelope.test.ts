import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import {
  decodeEnvelope,
  encodeEnvelope,
  encodeEnvelopeWithoutNonce,
  envelopeHash,
  envelopeSize,
  sentTime,
  shortRlpHead,
  type Envelope
} from './envelope'
import { WhisperError } from './errors'

const VECTOR: Envelope = { expiry: 0, ttl: 1, topic: new Uint8Array(4), data: hexToBytes('deadbeef'), nonce: 276n }

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof WhisperError ? e.code : `not a WhisperError: ${String(e)}`
  }
  return undefined
}

describe('envelope codec (spec §1.4, §5.1)', () => {
  it('encodes the spec vector and hashes it', () => {
    const encoded = encodeEnvelope(VECTOR)
    expect(bytesToHex(encoded)).toBe('cf8001840000000084deadbeef820114')
    expect(bytesToHex(envelopeHash(encoded))).toBe('300e63ed3c7a65d646006bd8f92ed35851ac71038f39912186f66bcb8003413f')
    expect(bytesToHex(encodeEnvelopeWithoutNonce(VECTOR))).toBe('cc8001840000000084deadbeef')
    expect(envelopeSize(VECTOR)).toBe(24)
  })

  it('decodes the spec vector, topic and data as views into the input', () => {
    const encoded = hexToBytes('cf8001840000000084deadbeef820114')
    const decoded = decodeEnvelope(encoded)
    expect(decoded).toEqual(VECTOR)
    expect(decoded.data.buffer).toBe(encoded.buffer)
  })

  it('shortRlp without nonce matches the generic RLP encoder at every length boundary', () => {
    const ints = [0, 1, 127, 128, 255, 256, 65535, 65536, 0xffff_ffff]
    const datas = [0, 1, 55, 56, 255, 256, 70_000].map((n) => new Uint8Array(n).fill(0xab))
    datas.push(Uint8Array.of(0x00), Uint8Array.of(0x7f), Uint8Array.of(0x80))
    for (const expiry of ints) {
      for (const data of datas) {
        const e = { expiry, ttl: ints[(expiry % 7) + 1] as number, topic: Uint8Array.of(1, 2, 3, 4), data }
        const generic = RLP.encode([e.expiry, e.ttl, e.topic, e.data])
        expect(bytesToHex(encodeEnvelopeWithoutNonce(e))).toBe(bytesToHex(generic))
        expect(shortRlpHead(e).length + data.length).toBe(generic.length)
      }
    }
  })

  it('round-trips maximum field values', () => {
    const e: Envelope = { expiry: 0xffffffff, ttl: 0xffffffff, topic: hexToBytes('01020304'), data: new Uint8Array(300), nonce: (1n << 64n) - 1n }
    expect(decodeEnvelope(encodeEnvelope(e))).toEqual(e)
  })

  it('rejects malformed envelopes with typed errors', () => {
    const t = new Uint8Array(4)
    const d = Uint8Array.of(1)
    expect(codeOf(() => decodeEnvelope(hexToBytes('cf80')))).toBe('bad-rlp')
    expect(codeOf(() => decodeEnvelope(RLP.encode(Uint8Array.of(1, 2))))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, 1, t, d])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, 1, t, d, 0, 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, 1, new Uint8Array(3), d, 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, 1, new Uint8Array(5), d, 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([Uint8Array.of(0, 1), 1, t, d, 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0x1_0000_0000, 1, t, d, 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, 1, t, d, 1n << 64n])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, [1], t, d, 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(RLP.encode([0, 1, t, [d], 0])))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(new Uint8Array(0)))).toBe('bad-envelope')
    expect(codeOf(() => decodeEnvelope(hexToBytes('cf8001840000000084deadbeef82011400')))).toBe('bad-rlp')
    expect(codeOf(() => decodeEnvelope(hexToBytes('d0808101840000000084deadbeef820114')))).toBe('bad-rlp')
  })

  it('refuses to encode out-of-range fields', () => {
    expect(codeOf(() => encodeEnvelope({ ...VECTOR, ttl: -1 }))).toBe('bad-argument')
    expect(codeOf(() => encodeEnvelope({ ...VECTOR, expiry: 2 ** 32 }))).toBe('bad-argument')
    expect(codeOf(() => encodeEnvelope({ ...VECTOR, nonce: 1n << 64n }))).toBe('bad-argument')
    expect(codeOf(() => encodeEnvelope({ ...VECTOR, topic: new Uint8Array(3) }))).toBe('bad-topic')
  })

  it('computes sent time with uint32 wrap-around', () => {
    expect(sentTime({ expiry: 1000, ttl: 50 })).toBe(950)
    expect(sentTime({ expiry: 5, ttl: 10 })).toBe(2 ** 32 - 5)
  })
})
