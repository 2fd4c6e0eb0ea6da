import { create } from '@bufbuild/protobuf'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { DirectMessageProtocolSchema } from './gen/encryption/protocol_message_pb'
import { aesGcmOpen } from '../primitives/aes-gcm'
import { CryptoError } from '../primitives/crypto-error'
import { decryptWithDh, dhFallbackDirectMessages, encryptWithDh, NO_INSTALLATION_ID } from './dh-fallback'
import { ecdh, publicKeyOf } from '../primitives/secp256k1'

const bob = utf8ToBytes('2'.repeat(32))
const bobPub = publicKeyOf(bob, false)
const ephemeral = utf8ToBytes('5'.repeat(32))
const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1)

/** First draw: the ephemeral key; second: the GCM nonce. */
function scripted(): (n: number) => Uint8Array {
  const draws = [ephemeral, nonce]
  return (n) => {
    const next = draws.shift()!
    expect(next).toHaveLength(n)
    return next.slice()
  }
}

describe('no-bundle DH fallback (§4.5)', () => {
  it('encrypts under DH(E, IK_B) with AES-GCM, nonce appended, E compressed in the DH header', () => {
    const message = encryptWithDh(bobPub, utf8ToBytes('hi bob'), scripted())
    expect(message.DHHeader!.key).toEqual(publicKeyOf(ephemeral, true))
    expect(message.X3DHHeader).toBeUndefined()
    expect(message.DRHeader).toBeUndefined()
    expect(message.payload).toHaveLength(6 + 16 + 12)
    expect(bytesToHex(message.payload.subarray(-12))).toBe(bytesToHex(nonce))
    const key = ecdh(bob, publicKeyOf(ephemeral))
    expect(new TextDecoder().decode(aesGcmOpen(key, message.payload)!)).toBe('hi bob')
    expect(new TextDecoder().decode(decryptWithDh(bob, message))).toBe('hi bob')
  })

  it('addresses the message to "none" and uses a new ephemeral key every time', () => {
    let seed = 0
    const random = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed++ + 1) & 0xff)
    const a = dhFallbackDirectMessages(bobPub, new Uint8Array(0), random)
    const b = dhFallbackDirectMessages(bobPub, new Uint8Array(0), random)
    expect(Object.keys(a)).toEqual([NO_INSTALLATION_ID])
    expect(a.none!.DHHeader!.key).not.toEqual(b.none!.DHHeader!.key)
    expect(decryptWithDh(bob, a.none!)).toEqual(new Uint8Array(0))
  })

  it('fails with typed errors for the wrong recipient, tampering or a missing header', () => {
    const message = encryptWithDh(bobPub, utf8ToBytes('secret'), scripted())
    const expectCode = (fn: () => unknown, code: CryptoError['code']) => {
      expect(fn).toThrow(CryptoError)
      expect(() => fn()).toThrow(expect.objectContaining({ code }))
    }
    expectCode(() => decryptWithDh(utf8ToBytes('9'.repeat(32)), message), 'AUTHENTICATION_FAILED')
    const tampered = create(DirectMessageProtocolSchema, { ...message, payload: message.payload.map((b, i) => (i === 0 ? b ^ 1 : b)) })
    expectCode(() => decryptWithDh(bob, tampered), 'AUTHENTICATION_FAILED')
    expectCode(() => decryptWithDh(bob, create(DirectMessageProtocolSchema, { payload: message.payload })), 'CIPHERTEXT_MALFORMED')
    expectCode(
      () => decryptWithDh(bob, create(DirectMessageProtocolSchema, { ...message, DHHeader: { $typeName: 'encryption.DHHeader', key: new Uint8Array(5) } })),
      'INVALID_KEY'
    )
  })
})
