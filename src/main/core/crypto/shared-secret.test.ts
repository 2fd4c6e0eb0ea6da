import { create } from '@bufbuild/protobuf'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BundleSchema, SignedPreKeySchema, type Bundle } from './gen/encryption/protocol_message_pb'
import { keccak256 } from '../primitives/keccak'
import { publicKeyOf } from '../primitives/secp256k1'
import { negotiatedSecret, recordSharedSecret, senderProtocolVersion, sharedSecretAgreement } from './shared-secret'

const me = utf8ToBytes('0'.repeat(32))
const them = utf8ToBytes('2'.repeat(32))
const themPub = publicKeyOf(them, false)

function bundle(versions: Record<string, number>): Bundle {
  return create(BundleSchema, {
    identity: publicKeyOf(them, true),
    signedPreKeys: Object.fromEntries(
      Object.entries(versions).map(([id, protocolVersion]) => [id, create(SignedPreKeySchema, { signedPreKey: new Uint8Array(33), protocolVersion })])
    )
  })
}

describe('negotiated shared secret (§4.6)', () => {
  it('reproduces the computed static secret and its topic, symmetrically', () => {
    const secret = negotiatedSecret(me, themPub)
    expect(bytesToHex(secret)).toBe('1ab7edc9b10c6daa4ee8eefa49daacef715779b96d146375e372c8901d3cc204')
    expect(negotiatedSecret(them, publicKeyOf(me))).toEqual(secret)
    expect(bytesToHex(keccak256(utf8ToBytes(bytesToHex(secret))).subarray(0, 4))).toBe('fd0a0dd5')
  })

  it('reads the sender protocol version like status-go getProtocolVersion', () => {
    expect(senderProtocolVersion([], 'x')).toBe(0)
    expect(senderProtocolVersion([bundle({ x: 1 })], '')).toBe(0)
    expect(senderProtocolVersion([bundle({ x: 1 })], 'x')).toBe(1)
    expect(senderProtocolVersion([bundle({ y: 1 })], 'x')).toBe(0)
    expect(senderProtocolVersion([bundle({}), bundle({ x: 1 })], 'x')).toBe(1)
    expect(senderProtocolVersion([bundle({ x: 0 }), bundle({ x: 1 })], 'x')).toBe(0)
  })

  it('records a secret only for installations that negotiate (protocol ≥ 1)', () => {
    const old = recordSharedSecret({}, { secret: negotiatedSecret(me, themPub), theirIdentityKey: themPub, senderInstallationId: 'x', bundles: [bundle({ x: 0 })] })
    expect(old).toEqual({ book: {}, secret: null })
    const first = recordSharedSecret({}, { secret: negotiatedSecret(me, themPub), theirIdentityKey: themPub, senderInstallationId: 'x', bundles: [bundle({ x: 1 })] })
    expect(bytesToHex(first.secret!)).toBe('1ab7edc9b10c6daa4ee8eefa49daacef715779b96d146375e372c8901d3cc204')
    const again = recordSharedSecret(first.book, { secret: negotiatedSecret(me, themPub), theirIdentityKey: themPub, senderInstallationId: 'x', bundles: [bundle({ x: 1 })] })
    expect(again.book).toBe(first.book)
  })

  it('switches to the negotiated topic only after every targeted installation replied', () => {
    const reply = (book: Parameters<typeof recordSharedSecret>[0], id: string) =>
      recordSharedSecret(book, { secret: negotiatedSecret(me, themPub), theirIdentityKey: themPub, senderInstallationId: id, bundles: [bundle({ a: 1, b: 1 })] }).book
    const agreed = (book: Parameters<typeof recordSharedSecret>[0], targets: string[]) =>
      sharedSecretAgreement(book, negotiatedSecret(me, themPub), themPub, targets).agreed

    expect(agreed({}, [])).toBe(false)
    expect(agreed({}, ['none'])).toBe(false)
    expect(agreed({}, ['a', 'b'])).toBe(false)
    const afterA = reply({}, 'a')
    expect(agreed(afterA, ['a', 'b'])).toBe(false)
    expect(agreed(afterA, ['a'])).toBe(true)
    const afterB = reply(afterA, 'b')
    expect(agreed(afterB, ['a', 'b'])).toBe(true)
    expect(agreed(afterB, ['a', 'b', 'c'])).toBe(false)
    expect(sharedSecretAgreement({}, negotiatedSecret(me, themPub), themPub, ['a']).secret).toEqual(negotiatedSecret(me, themPub))
  })
})
