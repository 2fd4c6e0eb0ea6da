import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { chatKeyIdentity } from './chat-key'
import { safetyNumber, safetyNumberHalf } from './safety-number'
import { ALICE_IK, BOB_IK, FILTERS_KEY_A, FILTERS_KEY_B } from './test-keys'
import { TrustError } from './trust-error'

// Computed independently (Python hashlib) from the definition in docs/safety-number.md.
const VECTORS = [
  {
    a: FILTERS_KEY_A,
    b: FILTERS_KEY_B,
    halfA: '749094733534667349346141478543',
    halfB: '152418416794786639821739385263',
    shown: '15241 84167 94786 63982 17393 85263 74909 47335 34667 34934 61414 78543'
  },
  {
    a: ALICE_IK,
    b: BOB_IK,
    halfA: '590911699241886912264515407581',
    halfB: '616285402661021283149051439700',
    shown: '59091 16992 41886 91226 45154 07581 61628 54026 61021 28314 90514 39700'
  }
]

const bytes = (hex: string) => hexToBytes(hex.slice(2))

describe('safetyNumber', () => {
  it.each(VECTORS)('matches the committed vector for $shown', ({ a, b, halfA, halfB, shown }) => {
    const number = safetyNumber(bytes(a), bytes(b))
    expect(number.ours).toBe(halfA)
    expect(number.theirs).toBe(halfB)
    expect(number.groups.join(' ')).toBe(shown)
    expect(number.digits).toBe(shown.replaceAll(' ', ''))
  })

  it('is the same number for both people', () => {
    for (const { a, b } of VECTORS) {
      const ab = safetyNumber(a, b)
      const ba = safetyNumber(b, a)
      expect(ba.digits).toBe(ab.digits)
      expect(ba.groups).toEqual(ab.groups)
      expect([ba.ours, ba.theirs]).toEqual([ab.theirs, ab.ours])
    }
  })

  it('has 60 digits in 12 groups of 5', () => {
    const { digits, groups } = safetyNumber(ALICE_IK, BOB_IK)
    expect(digits).toMatch(/^[0-9]{60}$/)
    expect(groups).toHaveLength(12)
    for (const group of groups) expect(group).toMatch(/^[0-9]{5}$/)
  })

  it('changes when either key changes', () => {
    const base = safetyNumber(ALICE_IK, BOB_IK).digits
    expect(safetyNumber(FILTERS_KEY_A, BOB_IK).digits).not.toBe(base)
    expect(safetyNumber(ALICE_IK, FILTERS_KEY_B).digits).not.toBe(base)
  })

  it('gives the same half for the compressed, uncompressed and hex forms of a key', () => {
    const compressed = hexToBytes(chatKeyIdentity(ALICE_IK))
    expect(compressed).toHaveLength(33)
    expect(safetyNumberHalf(compressed)).toBe(VECTORS[1]!.halfA)
    expect(safetyNumberHalf(bytes(ALICE_IK))).toBe(VECTORS[1]!.halfA)
    expect(safetyNumberHalf(ALICE_IK.slice(2).toUpperCase())).toBe(VECTORS[1]!.halfA)
  })

  it('depends on the whole key, not only X', () => {
    const point = secp256k1.Point.fromBytes(bytes(ALICE_IK))
    expect(safetyNumberHalf(point.negate().toBytes(true))).not.toBe(VECTORS[1]!.halfA)
  })

  it('rejects keys that are not secp256k1 points with a TrustError', () => {
    const offCurve = new Uint8Array(65)
    offCurve[0] = 4
    const inputs: Array<Uint8Array | string> = [new Uint8Array(32), offCurve, '0x04zz', 'ab'.repeat(33), '']
    for (const input of inputs) {
      expect(() => safetyNumber(input, BOB_IK)).toThrow(TrustError)
      expect(() => safetyNumber(ALICE_IK, input)).toThrow(TrustError)
    }
  })
})
