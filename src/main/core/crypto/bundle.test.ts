import { create } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BundleSchema, SignedPreKeySchema, type Bundle } from './gen/encryption/protocol_message_pb'
import {
  BUNDLE_PROTOCOL_VERSION,
  BUNDLE_REFRESH_INTERVAL_MS,
  bundleForSending,
  bundleSignatureMaterial,
  createBundleContainer,
  needsNewSignedPreKey,
  signBundle,
  verifyBundle
} from './bundle'
import { CryptoError } from '../primitives/crypto-error'
import { keccak256 } from '../primitives/keccak'
import { publicKeyOf, recoverSigner } from '../primitives/secp256k1'

const aliceKey = utf8ToBytes('0'.repeat(32))
const bobKey = utf8ToBytes('2'.repeat(32))
const NOW = 1_587_081_600_123 // 2020-04-17, ms
let counter = 0
const random = (n: number) => sha256(utf8ToBytes(`bundle-test-${counter++}`)).slice(0, n)

function expectCode(fn: () => unknown, code: CryptoError['code']): void {
  expect(fn).toThrow(CryptoError)
  expect(fn).toThrow(expect.objectContaining({ code }))
}

describe('bundles (status-go x3dh_test.go)', () => {
  it('TestNewBundleContainer: one installation, signature over id ‖ spk ‖ version ‖ timestamp', () => {
    const container = createBundleContainer(aliceKey, 'installation-1', NOW, random)
    const bundle = bundleForSending(container, aliceKey, NOW + 5)
    const spk = bundle.signedPreKeys['installation-1']!
    expect(spk.signedPreKey).toHaveLength(33)
    expect(spk.version).toBe(1)
    expect(spk.protocolVersion).toBe(BUNDLE_PROTOCOL_VERSION)
    expect(bundle.identity).toEqual(publicKeyOf(aliceKey, true))
    expect(bundle.timestamp).toBe(BigInt(NOW + 5) * 1_000_000n)
    const material = concatBytes(utf8ToBytes('installation-1'), spk.signedPreKey, utf8ToBytes('1'), utf8ToBytes(String(bundle.timestamp)))
    expect(bytesToHex(bundleSignatureMaterial(bundle))).toBe(bytesToHex(material))
    expect(recoverSigner(keccak256(material), bundle.signature)).toEqual(publicKeyOf(aliceKey, false))
  })

  it('numbers a refreshed prekey after the previous one', () => {
    const next = createBundleContainer(aliceKey, 'i', NOW, random, 4)
    expect(next.bundle!.signedPreKeys['i']!.version).toBe(5)
  })

  it('TestSignBundle: installations "1" and "2" (spk "key"), versions 0, then the timestamp', () => {
    const spk1 = publicKeyOf(utf8ToBytes('3'.repeat(32)))
    const unsigned = create(BundleSchema, {
      identity: publicKeyOf(aliceKey, true),
      signedPreKeys: {
        '1': create(SignedPreKeySchema, { signedPreKey: spk1, protocolVersion: 1 }),
        '2': create(SignedPreKeySchema, { signedPreKey: utf8ToBytes('key') })
      }
    })
    const bundle = signBundle(unsigned, aliceKey, NOW)
    expect(bundle.timestamp).toBe(BigInt(NOW) * 1_000_000n)
    const material = concatBytes(
      utf8ToBytes('1'),
      spk1,
      utf8ToBytes('0'),
      utf8ToBytes('2'),
      utf8ToBytes('key'),
      utf8ToBytes('0'),
      utf8ToBytes(String(bundle.timestamp))
    )
    expect(bytesToHex(bundleSignatureMaterial(bundle))).toBe(bytesToHex(material))
    expect(recoverSigner(keccak256(material), bundle.signature)).toEqual(publicKeyOf(aliceKey, false))
    expect(verifyBundle(bundle)).toEqual(publicKeyOf(aliceKey, false))
  })

  it('bundleForSending adds our other installations and re-signs without touching the stored container', () => {
    const container = createBundleContainer(aliceKey, 'mine', NOW, random)
    const other = create(SignedPreKeySchema, { signedPreKey: publicKeyOf(bobKey), version: 3, protocolVersion: 1 })
    const bundle = bundleForSending(container, aliceKey, NOW + 1000, { paired: other })
    expect(Object.keys(bundle.signedPreKeys).sort()).toEqual(['mine', 'paired'])
    expect(verifyBundle(bundle)).toEqual(publicKeyOf(aliceKey, false))
    expect(Object.keys(container.bundle!.signedPreKeys)).toEqual(['mine'])
    expect(container.bundle!.signature).toHaveLength(0)
  })

  it('TestExtractIdentity: verification returns the signer identity', () => {
    const bundle = bundleForSending(createBundleContainer(bobKey, 'b', NOW, random), bobKey, NOW)
    expect(bytesToHex(verifyBundle(bundle))).toBe(bytesToHex(publicKeyOf(bobKey, false)))
  })

  it('leaves the timestamp out of the material when it is zero (pre-timestamp bundles)', () => {
    const bundle = create(BundleSchema, {
      identity: publicKeyOf(aliceKey, true),
      signedPreKeys: { x: create(SignedPreKeySchema, { signedPreKey: utf8ToBytes('k'), version: 12 }) }
    })
    expect(new TextDecoder().decode(bundleSignatureMaterial(bundle))).toBe('xk12')
  })

  it('orders installation ids by UTF-8 bytes like Go sort.Strings, not by UTF-16 units', () => {
    const ids = ['a', 'B', '\u{1F600}', '\uFF61', 'é']
    const bundle = create(BundleSchema, {
      signedPreKeys: Object.fromEntries(ids.map((id) => [id, create(SignedPreKeySchema, { signedPreKey: new Uint8Array(0) })]))
    })
    expect(new TextDecoder().decode(bundleSignatureMaterial(bundle))).toBe('B0a0é0\uFF610\u{1F600}0')
  })
})

describe('bundle verification rejects tampering', () => {
  const container = createBundleContainer(aliceKey, 'alice-1', NOW, random)
  const good = bundleForSending(container, aliceKey, NOW)
  const tampered = (change: (b: Bundle) => void): Bundle => {
    const copy = create(BundleSchema, {
      identity: good.identity.slice(),
      signature: good.signature.slice(),
      timestamp: good.timestamp,
      signedPreKeys: Object.fromEntries(Object.entries(good.signedPreKeys).map(([k, v]) => [k, create(SignedPreKeySchema, { ...v })]))
    })
    change(copy)
    return copy
  }

  it('accepts the untouched bundle', () => {
    expect(() => verifyBundle(good)).not.toThrow()
  })

  it('rejects a changed timestamp, prekey, version, installation id or extra installation', () => {
    expectCode(() => verifyBundle(tampered((b) => (b.timestamp += 1n))), 'BUNDLE_IDENTITY_MISMATCH')
    expectCode(() => verifyBundle(tampered((b) => (b.signedPreKeys['alice-1']!.signedPreKey = publicKeyOf(bobKey)))), 'BUNDLE_IDENTITY_MISMATCH')
    expectCode(() => verifyBundle(tampered((b) => (b.signedPreKeys['alice-1']!.version += 1))), 'BUNDLE_IDENTITY_MISMATCH')
    expectCode(
      () =>
        verifyBundle(
          tampered((b) => {
            b.signedPreKeys['alice-2'] = b.signedPreKeys['alice-1']!
            delete b.signedPreKeys['alice-1']
          })
        ),
      'BUNDLE_IDENTITY_MISMATCH'
    )
    expectCode(
      () => verifyBundle(tampered((b) => (b.signedPreKeys['evil'] = create(SignedPreKeySchema, { signedPreKey: publicKeyOf(bobKey) })))),
      'BUNDLE_IDENTITY_MISMATCH'
    )
  })

  it('rejects a bundle re-signed by someone else but claiming our identity, and a swapped identity', () => {
    const forged = signBundle(good, bobKey, NOW)
    expectCode(() => verifyBundle(forged), 'BUNDLE_IDENTITY_MISMATCH')
    expectCode(() => verifyBundle(tampered((b) => (b.identity = publicKeyOf(bobKey, true)))), 'BUNDLE_IDENTITY_MISMATCH')
  })

  it('rejects malformed signatures and identities with typed errors', () => {
    expectCode(() => verifyBundle(tampered((b) => (b.signature = b.signature.subarray(0, 64)))), 'INVALID_SIGNATURE')
    expectCode(() => verifyBundle(tampered((b) => (b.signature[64] = 7))), 'INVALID_SIGNATURE')
    expectCode(() => verifyBundle(tampered((b) => (b.identity = publicKeyOf(aliceKey, false)))), 'BUNDLE_MALFORMED')
    expectCode(() => verifyBundle(tampered((b) => (b.identity = new Uint8Array(33)))), 'INVALID_KEY')
  })

  it('does not sign protocol_version, exactly like status-go', () => {
    expect(() => verifyBundle(tampered((b) => (b.signedPreKeys['alice-1']!.protocolVersion = 0)))).not.toThrow()
  })
})

describe('bundle refresh (24 h)', () => {
  it('keeps the prekey for 24 h after creation and replaces it afterwards, whatever the re-sign times', () => {
    const container = createBundleContainer(aliceKey, 'i', NOW, random)
    bundleForSending(container, aliceKey, NOW + BUNDLE_REFRESH_INTERVAL_MS - 1)
    expect(container.bundle!.timestamp).toBe(BigInt(NOW) * 1_000_000n)
    expect(needsNewSignedPreKey(container, NOW + BUNDLE_REFRESH_INTERVAL_MS)).toBe(false)
    expect(needsNewSignedPreKey(container, NOW + BUNDLE_REFRESH_INTERVAL_MS + 1)).toBe(true)
  })

  it('creates a different prekey each time and keeps its private half in the container', () => {
    const a = createBundleContainer(aliceKey, 'i', NOW, random)
    const b = createBundleContainer(aliceKey, 'i', NOW, random)
    expect(a.bundle!.signedPreKeys['i']!.signedPreKey).not.toEqual(b.bundle!.signedPreKeys['i']!.signedPreKey)
    expect(publicKeyOf(a.privateSignedPreKey, true)).toEqual(a.bundle!.signedPreKeys['i']!.signedPreKey)
  })
})
