import { describe, expect, it } from 'vitest'
import { aliasFromPublicKey, aliasFromSeed } from './alias'
import { ADJECTIVES, ANIMALS } from './alias-words'

const FIXTURE_KEY =
  '0x04211fe0f69772ecf7eb0b5bfc7678672508a9fb01f2d699096f0d59ef7fe1a0cb1e648a80190db1c0f5f088872444d846f2956d0bd84069f3f9f69335af852ac0'
const TEST_KEY =
  '0x04eedbaafd6adf4a9233a13e7b1c3c14461fffeba2e9054b8d456ce5f6ebeafadcbf3dce3716253fbc391277fa5a086b60b283daf61fb5b1f26895f456c2f31ae3'

describe('aliasFromSeed', () => {
  it('seed 42 → "Hard Tame Brownbutterfly" (indices 84, 169, 339)', () => {
    expect(aliasFromSeed(42n)).toBe('Hard Tame Brownbutterfly')
    expect([ADJECTIVES[84], ADJECTIVES[169], ANIMALS[339]]).toEqual(['Hard', 'Tame', 'Brownbutterfly'])
  })

  it('uses only the low 64 bits of the seed', () => {
    expect(aliasFromSeed((1n << 64n) + 42n)).toBe('Hard Tame Brownbutterfly')
  })
})

describe('aliasFromPublicKey', () => {
  it('reproduces the status-go test key and backend fixture', () => {
    expect(aliasFromPublicKey(TEST_KEY)).toBe('Darkorange Blue Bubblefish')
    expect(aliasFromSeed(0x456ce5f6ebeafadcn)).toBe('Darkorange Blue Bubblefish')
    expect(aliasFromPublicKey(FIXTURE_KEY)).toBe('Jittery Cornflowerblue Kingbird')
  })

  it('rejects anything but an uncompressed key', () => {
    expect(() => aliasFromPublicKey('0x02' + 'ab'.repeat(32))).toThrow(TypeError)
    expect(() => aliasFromPublicKey(new Uint8Array(64))).toThrow(TypeError)
  })
})
