import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { bundleForSending, createBundleContainer, verifyBundle } from './bundle'
import { CryptoError } from '../primitives/crypto-error'
import { confirmMessageKey, initiatorRatchet, ratchetDecrypt, ratchetEncrypt, ratchetSessionId, responderRatchet } from './ratchet'
import { publicKeyOf } from '../primitives/secp256k1'
import { performActiveX3dh, x3dhInitiatorSecret, x3dhResponderSecret } from './x3dh'

// status-go x3dh_test.go uses the ASCII bytes of these strings as private scalars.
const aliceIdentity = utf8ToBytes('0'.repeat(32))
const aliceEphemeral = utf8ToBytes('1'.repeat(32))
const bobIdentity = utf8ToBytes('2'.repeat(32))
const bobSignedPreKey = utf8ToBytes('3'.repeat(32))
const EXPECTED_SK = 'a4e923d0af8fe78a056363be20e71c0a58e569ea8fc1f79289eca10d9f68133a'

describe('X3DH (status-go vector)', () => {
  it('derives the public keys listed in the spec', () => {
    expect(bytesToHex(publicKeyOf(aliceIdentity, false))).toBe(
      '042ed557f5ad336b31a49857e4e9664954ac33385aa20a93e2d64bfe7f08f51277bcb27c1259f802a52ed3ea7ac939043f0cc864e27400294bf121f23877995852'
    )
    expect(bytesToHex(publicKeyOf(bobIdentity, false))).toBe(
      '0490999dbbf43034bffb1dd53eac1eb4c33a4ea1c4f48ba585cfde3830840f05553a9d6d07e79ae2fbe0bc0b20c93e1f8e20d74b8a0a7028e32d9a6808b6c38df4'
    )
    expect(bytesToHex(publicKeyOf(bobSignedPreKey))).toBe('023c72addb4fdf09af94f0c94d7fe92a386a7e70cf8a1d85916386bb2535c7b1b1')
    expect(bytesToHex(publicKeyOf(aliceEphemeral))).toBe('036930f46dd0b16d866d59d1054aa63298b357499cd1862ef16f3f55f1cafceb82')
  })

  it('active side reproduces SK (TestX3dhActive)', () => {
    const sk = x3dhInitiatorSecret({
      myIdentityKey: aliceIdentity,
      myEphemeralKey: aliceEphemeral,
      theirIdentityKey: publicKeyOf(bobIdentity, false),
      theirSignedPreKey: publicKeyOf(bobSignedPreKey)
    })
    expect(bytesToHex(sk)).toBe(EXPECTED_SK)
  })

  it('passive side reproduces SK (TestPerformPassiveX3DH)', () => {
    const sk = x3dhResponderSecret({
      myIdentityKey: bobIdentity,
      mySignedPreKey: bobSignedPreKey,
      theirIdentityKey: publicKeyOf(aliceIdentity),
      theirEphemeralKey: publicKeyOf(aliceEphemeral)
    })
    expect(bytesToHex(sk)).toBe(EXPECTED_SK)
  })

  it('performActiveX3dh uses the injected randomness for EK and returns the header fields', () => {
    const result = performActiveX3dh(aliceIdentity, publicKeyOf(bobIdentity), publicKeyOf(bobSignedPreKey, false), () =>
      aliceEphemeral.slice()
    )
    expect(bytesToHex(result.sharedKey)).toBe(EXPECTED_SK)
    expect(bytesToHex(result.ephemeralPublicKey)).toBe('036930f46dd0b16d866d59d1054aa63298b357499cd1862ef16f3f55f1cafceb82')
    expect(bytesToHex(result.signedPreKeyId)).toBe('023c72addb4fdf09af94f0c94d7fe92a386a7e70cf8a1d85916386bb2535c7b1b1')
  })

  it('rejects a bundle key that is not on the curve with a typed error', () => {
    const bogus = hexToBytes('02' + 'ff'.repeat(32))
    expect(() => performActiveX3dh(aliceIdentity, bogus, publicKeyOf(bobSignedPreKey), () => aliceEphemeral.slice())).toThrow(
      CryptoError
    )
  })
})

describe('X3DH into the Double Ratchet with a real bundle (encryption_test.go shape)', () => {
  it('first message carries X3DH (EK, id = SPK) and DR headers (n = 0, pn = 0), and Bob decrypts it', () => {
    let counter = 0
    const random = (n: number) => sha256(utf8ToBytes(`flow-${counter++}`)).slice(0, n)
    const container = createBundleContainer(bobIdentity, 'bob-device', 1_000, random)
    const bobBundle = bundleForSending(container, bobIdentity, 2_000)

    // Alice: verify the bundle, X3DH against the installation's prekey, start the ratchet on it.
    const bobKey = verifyBundle(bobBundle)
    const spk = bobBundle.signedPreKeys['bob-device']!.signedPreKey
    const x3dh = performActiveX3dh(aliceIdentity, bobKey, spk, random)
    const alice = initiatorRatchet(x3dh.sharedKey, spk, random)
    const first = ratchetEncrypt(alice, utf8ToBytes('hello bob'))
    expect(first.header.n).toBe(0)
    expect(first.header.pn).toBe(0)
    expect(x3dh.signedPreKeyId).toEqual(spk)
    expect(bytesToHex(ratchetSessionId(x3dh.signedPreKeyId, 'bob-device'))).toBe(bytesToHex(spk) + bytesToHex(utf8ToBytes('bob-device')))

    // Bob: IK_A comes from the Whisper signature; the SPK private key from the stored container.
    const sk = x3dhResponderSecret({
      myIdentityKey: bobIdentity,
      mySignedPreKey: container.privateSignedPreKey,
      theirIdentityKey: publicKeyOf(aliceIdentity, false),
      theirEphemeralKey: x3dh.ephemeralPublicKey
    })
    expect(sk).toEqual(x3dh.sharedKey)
    const bob = responderRatchet(sk, container.privateSignedPreKey)
    const received = ratchetDecrypt(bob, first.header, first.ciphertext, { random })
    expect(new TextDecoder().decode(received.plaintext)).toBe('hello bob')

    const reply = ratchetEncrypt(confirmMessageKey(received.state, received.messageKey), utf8ToBytes('hi alice'))
    expect(reply.header.pn).toBe(0)
    expect(new TextDecoder().decode(ratchetDecrypt(first.state, reply.header, reply.ciphertext, { random }).plaintext)).toBe('hi alice')
  })
})
