import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { ecdh } from '../primitives/secp256k1'
import {
  contactCodeSymKey,
  contactCodeTopic,
  contactCodeTopicString,
  genericDiscoveryTopic,
  negotiatedSymKey,
  negotiatedTopic,
  partitionedTopic,
  partitionedTopicString,
  partitionOf,
  personalDiscoveryTopic,
  publicChatSymKey,
  publicChatTopic
} from './topics'

const hex = (bytes: Uint8Array) => bytesToHex(bytes)
// Keys of status-go's filters_manager_test.
const keyA = secp256k1.getPublicKey(hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e'), false)
const keyB = secp256k1.getPublicKey(hexToBytes('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509'), false)
// The alias vector key of §1.3.
const aliasKey = hexToBytes(
  '04eedbaafd6adf4a9233a13e7b1c3c14461fffeba2e9054b8d456ce5f6ebeafadcbf3dce3716253fbc391277fa5a086b60b283daf61fb5b1f26895f456c2f31ae3'
)

describe('public chat topic and key (§2.3, §2.4)', () => {
  it('derives the topic from the name', () => {
    expect(hex(publicChatTopic('status'))).toBe('cd423760')
    expect(hex(publicChatTopic('test'))).toBe('9c22ff5f')
  })

  it('derives the symmetric key with geth’s PBKDF2 (65356 rounds)', async () => {
    expect(hex(await publicChatSymKey('status'))).toBe('36224048e42c49e5c59c57bba5024fbb8822d6b4ee6ac5fbefd8b77f5323ecc4')
    expect(hex(await publicChatSymKey('test'))).toBe('a82a520aff70f7a989098376e48ec128f25f767085e84d7fb995a9815eebff0a')
  })
})

describe('partitioned topic', () => {
  it('reproduces the partitions asserted by status-go', () => {
    expect(partitionOf(keyA)).toBe(4490)
    expect(partitionOf(keyB)).toBe(3991)
    expect(partitionedTopicString(keyA)).toBe('contact-discovery-4490')
    expect(hex(partitionedTopic(keyA))).toBe('e1240bce')
    expect(hex(partitionedTopic(keyB))).toBe('59cbac69')
  })

  it('gives the same answer for a compressed key', () => {
    expect(partitionOf(secp256k1.Point.fromBytes(keyA).toBytes(true))).toBe(4490)
  })

  it('matches the alias-key vector', () => {
    expect(partitionOf(aliasKey)).toBe(4572)
    expect(hex(partitionedTopic(aliasKey))).toBe('d85003fb')
  })

  it('rejects bytes that are not a key', () => {
    expect(() => partitionOf(new Uint8Array(65))).toThrow()
  })
})

describe('contact code, personal and generic discovery', () => {
  it('contact-code topic uses 0x + uncompressed hex + "-contact-code"', () => {
    expect(contactCodeTopicString(aliasKey)).toBe('0x' + hex(aliasKey) + '-contact-code')
    expect(hex(contactCodeTopic(aliasKey))).toBe('e1ce7a75')
  })

  it('contact-code key is the PBKDF2 of the same string', async () => {
    const { symKeyFromPassword } = await import('../whisper/password')
    expect(hex(await contactCodeSymKey(aliasKey))).toBe(hex(await symKeyFromPassword(contactCodeTopicString(aliasKey))))
  })

  it('personal discovery topic uses hex without 0x', () => {
    expect(hex(personalDiscoveryTopic(aliasKey))).toBe('261b7140')
  })

  it('generic discovery topic is the spec constant', () => {
    expect(hex(genericDiscoveryTopic())).toBe('f8946aac')
  })
})

describe('negotiated topic (§4.6 vector)', () => {
  const secretHex = '1ab7edc9b10c6daa4ee8eefa49daacef715779b96d146375e372c8901d3cc204'

  it('the vector secret is ECDH of the ASCII "0"*32 and "2"*32 identities', () => {
    const a = utf8ToBytes('0'.repeat(32))
    const b = utf8ToBytes('2'.repeat(32))
    expect(hex(ecdh(a, secp256k1.getPublicKey(b)))).toBe(secretHex)
  })

  it('derives topic and key from the lowercase hex of the secret', async () => {
    const secret = hexToBytes(secretHex)
    expect(hex(negotiatedTopic(secret))).toBe('fd0a0dd5')
    expect(hex(await negotiatedSymKey(secret))).toBe('3039db8270aadab888756814804782b3e9855caf9bcabe1daf9786d6dcf5ad03')
  })

  it('refuses a secret of the wrong size', () => {
    expect(() => negotiatedTopic(new Uint8Array(33))).toThrow(RangeError)
  })
})
