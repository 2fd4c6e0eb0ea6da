import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { concatKdf, ecdhX, ecdhXNoble, eciesDecrypt, eciesEncrypt } from './ecies'
import { nobleBackend, wasmBackend } from './secp256k1-backend'

const PRV1 = hexToBytes('7ebbc6a8358bc76dd73ebc557056702c8cfc34e5cfcd90eb83af0347575fd2ad')
const PRV2 = hexToBytes('6a3d6396903245bba5837752b9e0348874e72db0c4e11e9c485a81b4ea4353b9')
const RECIPIENT = hexToBytes('d0b043b4c5d657670778242d82d68a29d25d7d711127d17b8e299f156dad361a')
const EPHEMERAL = hexToBytes('4b50fa71f5c3eeb8fdc452224b2395af2fcc3d125e06c32c82e048c0559db03f')
const IV = hexToBytes('000102030405060708090a0b0c0d0e0f')
const CIPHERTEXT =
  '044cb2fc32924e94277bf94b5e4c983beedb2eabd5a0bc941db32202735c6625d020ca14a5963d1738af43b6ac0a711d61b1a06de931a499fe2aa0b1a132a902b5000102030405060708090a0b0c0d0e0f800ca4ef4e0e460415e5864b85335ea3b51562e20500793692f7a21f313c2b1ff1af9db2831e9a84d993f29271'

const backends = [
  ['noble', ecdhXNoble],
  ['wasm', wasmBackend().ecdhX]
] as const

describe('ECIES_AES128_SHA256 (spec §3.2, §5.4)', () => {
  it('concatKDF matches geth vectors', () => {
    const z = utf8ToBytes('input')
    const none = new Uint8Array(0)
    const k64 =
      '858b192fa2ed4395e2bf88dd8d5770d67dc284ee539f12da8bceaa45d06ebae0700f1ab918a5f0413b8140f9940d6955f3467fd6672cce1024c5b1effccc0f61'
    expect(bytesToHex(concatKdf(z, none, 6))).toBe('858b192fa2ed')
    expect(bytesToHex(concatKdf(z, none, 32))).toBe(k64.slice(0, 64))
    expect(bytesToHex(concatKdf(z, none, 48))).toBe(k64.slice(0, 96))
    expect(bytesToHex(concatKdf(z, none, 64))).toBe(k64)
  })

  it.each(backends)('shared secret (geth TestSharedKeyStatic) with %s', (_name, ecdh) => {
    const z = '167ccc13ac5e8a26b131c3446030c60fbfac6aa8e31149d0869f93626a4cdf62'
    expect(bytesToHex(ecdh(PRV1, secp256k1.getPublicKey(PRV2, false)))).toBe(z)
    expect(bytesToHex(ecdh(PRV2, secp256k1.getPublicKey(PRV1, true)))).toBe(z)
  })

  it.each(backends)('keeps leading zeros of private keys and x-coordinates with %s', (_name, ecdh) => {
    const prv = hexToBytes('0097a076fc7fcd9208240668e31c9abee952cbb6e375d1b8febc7499d6e16f1a')
    const pub = secp256k1.getPublicKey(prv, false)
    expect(bytesToHex(pub.subarray(1, 33))).toBe('6ab3ac374251f638d0abb3ef596d1dc67955b507c104e5f2009724812dc027b8')
    expect(ecdh(PRV1, pub)).toEqual(ecdhXNoble(prv, secp256k1.getPublicKey(PRV1)))
    expect(ecdh(PRV1, pub)).toHaveLength(32)
  })

  it.each(backends)('encrypts the deterministic vector byte for byte with %s', (_name, ecdh) => {
    const ct = eciesEncrypt(secp256k1.getPublicKey(RECIPIENT, false), utf8ToBytes('Hello, world.'), {
      ephemeralPrivateKey: EPHEMERAL,
      iv: IV,
      ecdh
    })
    expect(bytesToHex(ct)).toBe(CIPHERTEXT)
  })

  it.each(backends)('decrypts the vector with %s and returns null when not for us', (_name, ecdh) => {
    const ct = hexToBytes(CIPHERTEXT)
    expect(new TextDecoder().decode(eciesDecrypt(RECIPIENT, ct, ecdh) ?? undefined)).toBe('Hello, world.')
    expect(eciesDecrypt(PRV1, ct, ecdh)).toBeNull()
    const tampered = ct.slice()
    tampered[90] = (tampered[90] as number) ^ 1
    expect(eciesDecrypt(RECIPIENT, tampered, ecdh)).toBeNull()
    const badPoint = ct.slice()
    badPoint.fill(0xff, 1, 65)
    expect(eciesDecrypt(RECIPIENT, badPoint, ecdh)).toBeNull()
    expect(eciesDecrypt(RECIPIENT, ct.subarray(0, 97), ecdh)).toBeNull()
    expect(eciesDecrypt(RECIPIENT, Uint8Array.of(3, ...ct.subarray(1)), ecdh)).toBeNull()
  })

  it('round-trips on the backend in use, and encrypts to a compressed key as to the uncompressed one', () => {
    const msg = new Uint8Array(1000).fill(9)
    expect(eciesDecrypt(PRV2, eciesEncrypt(secp256k1.getPublicKey(PRV2), msg), ecdhX)).toEqual(msg)
    const options = { ephemeralPrivateKey: EPHEMERAL, iv: IV }
    expect(eciesEncrypt(secp256k1.getPublicKey(RECIPIENT, true), msg, options)).toEqual(
      eciesEncrypt(nobleBackend.publicKey(RECIPIENT, false), msg, options)
    )
  })
})
