import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { FULL_BLOOM } from './bloom'
import {
  ShhProtocolError,
  decodePowBits,
  encodePowBits,
  encodeRawList,
  encodeStatus,
  parseStatus,
  rawListSize,
  splitP2PMessages,
  splitRawList
} from './shh-protocol'

const ENVELOPE = hexToBytes('cf8001840000000084deadbeef820114')

describe('Status codec', () => {
  it('reproduces the spec vector [6, 0.2, nil, false]', () => {
    expect(bytesToHex(encodeStatus({ pow: 0.2, bloom: null, light: false }))).toBe('cc06883fc999999999999a8080')
  })

  it('sends a full bloom as empty (geth nil)', () => {
    expect(bytesToHex(encodeStatus({ pow: 0.2, bloom: FULL_BLOOM, light: false }))).toBe('cc06883fc999999999999a8080')
  })

  it('encodes PoW 0 as the empty string and light as 0x01', () => {
    expect(bytesToHex(encodeStatus({ pow: 0, bloom: null, light: true }))).toBe('c406808001')
  })

  it('parses the spec vector', () => {
    expect(parseStatus(hexToBytes('cc06883fc999999999999a8080'))).toEqual({ version: 6, pow: 0.2, bloom: null, light: false })
  })

  it('round-trips a partial bloom and the light flag', () => {
    const bloom = new Uint8Array(64)
    bloom[3] = 0x10
    const s = parseStatus(encodeStatus({ pow: 0.002, bloom, light: true }))
    expect(s).toEqual({ version: 6, pow: 0.002, bloom, light: true })
  })

  it('tolerates extra items and missing optional ones', () => {
    expect(parseStatus(RLP.encode([6, encodePowBits(1.5), new Uint8Array(0), 1, 1, [1, 2, 3]]))).toMatchObject({
      pow: 1.5,
      light: true
    })
    expect(parseStatus(RLP.encode([6]))).toEqual({ version: 6, pow: 0, bloom: null, light: false })
    expect(parseStatus(RLP.encode([6, encodePowBits(2)]))).toMatchObject({ pow: 2, bloom: null })
  })

  it('ignores a malformed light flag like geth', () => {
    expect(parseStatus(RLP.encode([6, encodePowBits(1), new Uint8Array(0), [1]])).light).toBe(false)
  })

  it.each([
    ['version 5', RLP.encode([5, encodePowBits(0.2)])],
    ['no version', RLP.encode([])],
    ['not a list', RLP.encode(6)],
    ['bloom of 32 bytes', RLP.encode([6, encodePowBits(0.2), new Uint8Array(32)])],
    ['negative PoW', RLP.encode([6, encodePowBits(-1)])],
    ['NaN PoW', RLP.encode([6, encodePowBits(Number.NaN)])],
    ['infinite PoW', RLP.encode([6, encodePowBits(Number.POSITIVE_INFINITY)])],
    ['garbage', Uint8Array.of(0xff, 0x01)]
  ])('refuses %s', (_name, bytes) => {
    expect(() => parseStatus(bytes)).toThrow(ShhProtocolError)
  })
})

describe('PoW bits', () => {
  it('is canonical (no leading zero bytes) and reversible', () => {
    expect(bytesToHex(encodePowBits(0.2))).toBe('3fc999999999999a')
    expect(encodePowBits(0)).toHaveLength(0)
    for (const pow of [0, 0.002, 0.2, 1e-300, 5e-324, 123.456]) expect(decodePowBits(encodePowBits(pow))).toBe(pow)
  })

  it('refuses non-canonical and oversized values', () => {
    expect(() => decodePowBits(hexToBytes('003fc999999999999a'))).toThrow(ShhProtocolError)
    expect(() => decodePowBits(hexToBytes('003f'))).toThrow(/canonical/)
  })
})

describe('raw RLP lists', () => {
  it('matches RLP.encode for pre-encoded items, short and long', () => {
    for (const n of [0, 1, 3, 100]) {
      const envs = Array.from({ length: n }, () => ENVELOPE)
      const expected = RLP.encode(envs.map((e) => RLP.decode(e) as Uint8Array[]))
      expect(bytesToHex(encodeRawList(envs))).toBe(bytesToHex(expected))
      expect(rawListSize(n * ENVELOPE.length)).toBe(expected.length)
      expect(splitRawList(expected, 'test').map(bytesToHex)).toEqual(envs.map(bytesToHex))
    }
  })

  it('keeps the exact bytes of each item (views into the packet)', () => {
    const big = RLP.encode([1, 2, 3, new Uint8Array(5000), 5])
    const packet = encodeRawList([ENVELOPE, big])
    const [a, b] = splitRawList(packet, 'test')
    expect(bytesToHex(a as Uint8Array)).toBe(bytesToHex(ENVELOPE))
    expect(bytesToHex(b as Uint8Array)).toBe(bytesToHex(big))
  })

  it.each([
    ['truncated list', hexToBytes('c5820114')],
    ['trailing bytes', hexToBytes('c0c0')],
    ['not a list', hexToBytes('820114')],
    ['item overrun', hexToBytes('c2830102')],
    ['non-canonical long length', hexToBytes('f80100')],
    ['empty input', new Uint8Array(0)]
  ])('refuses %s', (_name, bytes) => {
    expect(() => splitRawList(bytes, 'test')).toThrow(ShhProtocolError)
  })

  it('reads code 127 as a single envelope or a list', () => {
    expect(splitP2PMessages(ENVELOPE).map(bytesToHex)).toEqual([bytesToHex(ENVELOPE)])
    expect(splitP2PMessages(encodeRawList([ENVELOPE, ENVELOPE]))).toHaveLength(2)
    expect(splitP2PMessages(encodeRawList([]))).toHaveLength(0)
  })
})
