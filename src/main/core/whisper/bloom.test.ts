import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BLOOM_LENGTH, FULL_BLOOM, bloomMatches, isFullBloom, mergeBlooms, topicToBloom, topicsToBloom } from './bloom'
import { topicFromBytes, topicFromHex, topicFromString, topicToHex } from './topic'

function nonZero(bloom: Uint8Array): string {
  return [...bloom].flatMap((b, i) => (b ? [`${i}:${b.toString(16).padStart(2, '0')}`] : [])).join(', ')
}

describe('topics (spec §5.2, status §2.3)', () => {
  it('derives topics from strings', () => {
    expect(topicToHex(topicFromString('contact-discovery'))).toBe('0xf8946aac')
    expect(topicToHex(topicFromString('status'))).toBe('0xcd423760')
    expect(topicToHex(topicFromString('test'))).toBe('0x9c22ff5f')
    expect(topicToHex(topicFromString('contact-discovery-4490'))).toBe('0xe1240bce')
  })

  it('pads and truncates bytes like geth BytesToTopic', () => {
    expect(bytesToHex(topicFromBytes(hexToBytes('6f3cb0dd0f0090')))).toBe('6f3cb0dd')
    expect(bytesToHex(topicFromBytes(hexToBytes('ea1d43')))).toBe('ea1d4300')
  })

  it('parses and prints hex', () => {
    expect(topicToHex(hexToBytes('007f80ff'))).toBe('0x007f80ff')
    expect(bytesToHex(topicFromHex('0xf26e7779'))).toBe('f26e7779')
    expect(() => topicFromHex('0xf26e77')).toThrow(/4 bytes/)
  })
})

describe('bloom (spec §2.3, §5.2)', () => {
  it.each([
    ['0f010200', '0:04, 1:80'],
    ['01020300', '0:08'],
    ['00000000', '0:01'],
    ['f26e7779', '13:40, 14:80, 62:04'],
    ['deadbeef', '53:20, 55:40, 59:40'],
    ['8f9a2b7d', '19:04, 37:08, 49:80'],
    ['cd423760', '6:80, 8:04, 25:20'],
    ['f8946aac', '18:10, 31:01, 45:04']
  ])('geth variant for %s', (topic, expected) => {
    expect(nonZero(topicToBloom(hexToBytes(topic)))).toBe(expected)
  })

  it('matches subsets only; null filter matches everything', () => {
    const a = topicToBloom(hexToBytes('f26e7779'))
    const b = topicToBloom(hexToBytes('deadbeef'))
    const ab = mergeBlooms(a, b)
    expect(bloomMatches(ab, a)).toBe(true)
    expect(bloomMatches(ab, b)).toBe(true)
    expect(bloomMatches(a, b)).toBe(false)
    expect(bloomMatches(a, ab)).toBe(false)
    expect(bloomMatches(null, ab)).toBe(true)
    expect(bloomMatches(FULL_BLOOM, ab)).toBe(true)
    expect(topicsToBloom([hexToBytes('f26e7779'), hexToBytes('deadbeef')])).toEqual(ab)
  })

  it('recognises the full bloom and checks lengths', () => {
    expect(isFullBloom(FULL_BLOOM)).toBe(true)
    expect(isFullBloom(new Uint8Array(BLOOM_LENGTH))).toBe(false)
    expect(isFullBloom(new Uint8Array(0))).toBe(false)
    expect(() => bloomMatches(new Uint8Array(3), FULL_BLOOM)).toThrow(/64 bytes/)
    expect(() => topicToBloom(new Uint8Array(5))).toThrow(/4 bytes/)
  })
})
