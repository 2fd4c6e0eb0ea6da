import { create } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it, vi } from 'vitest'
import { BundleSchema, SignedPreKeySchema } from './gen/encryption/protocol_message_pb'
import { CryptoError } from '../primitives/crypto-error'
import { bundleForSending, createBundleContainer, signBundle, verifyBundle } from './bundle'
import { BundleVerifier, MAX_BUNDLE_INSTALLATIONS, MAX_INSTALLATION_ID_LENGTH, assertInstallationId } from './bundle-checks'

const identityKey = utf8ToBytes('7'.repeat(32))
const NOW = 1_600_000_000_000
let counter = 0
const random = (n: number) => sha256(utf8ToBytes(`bundle-checks-${counter++}`)).slice(0, n)
const container = createBundleContainer(identityKey, 'device-1', NOW, random)

/** The code of the CryptoError `fn` throws; undefined when it does not throw, 'not a CryptoError' for any other error. */
function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof CryptoError ? error.code : 'not a CryptoError'
  }
  return undefined
}

describe('bundle checks', () => {
  it('recovers the signature of each distinct bundle once, however often it comes back', () => {
    const verify = vi.fn<typeof verifyBundle>(verifyBundle)
    const verifier = new BundleVerifier(8, verify)
    const bundle = bundleForSending(container, identityKey, NOW)
    for (let i = 0; i < 5; i++) verifier.check(create(BundleSchema, bundle))
    expect(verify).toHaveBeenCalledTimes(1)
    // Signed again (new timestamp): a different bundle, checked again.
    verifier.check(bundleForSending(container, identityKey, NOW + 1))
    expect(verify).toHaveBeenCalledTimes(2)
  })

  it('never lets a cached bundle vouch for a changed one', () => {
    const verifier = new BundleVerifier()
    const bundle = bundleForSending(container, identityKey, NOW)
    verifier.check(bundle)
    const otherVersion = create(BundleSchema, bundle)
    otherVersion.signedPreKeys = { 'device-1': create(SignedPreKeySchema, { ...bundle.signedPreKeys['device-1']!, version: 9 }) }
    expect(code(() => verifier.check(otherVersion))).toBe('BUNDLE_IDENTITY_MISMATCH')
    const otherSignature = signBundle(bundle, utf8ToBytes('8'.repeat(32)), NOW)
    expect(code(() => verifier.check(otherSignature))).toBe('BUNDLE_IDENTITY_MISMATCH')
    const otherTimestamp = create(BundleSchema, { ...bundle, timestamp: bundle.timestamp + 1n })
    expect(code(() => verifier.check(otherTimestamp))).toBe('BUNDLE_IDENTITY_MISMATCH')
  })

  it('does not remember a bundle that failed, and forgets the least recently seen beyond its capacity', () => {
    const verify = vi.fn<typeof verifyBundle>(verifyBundle)
    const verifier = new BundleVerifier(2, verify)
    const forged = create(BundleSchema, { ...bundleForSending(container, identityKey, NOW), signature: new Uint8Array(65) })
    expect(code(() => verifier.check(forged))).toBe('INVALID_SIGNATURE')
    expect(code(() => verifier.check(forged))).toBe('INVALID_SIGNATURE')
    expect(verify).toHaveBeenCalledTimes(2)

    const [a, b, c] = [1, 2, 3].map((i) => bundleForSending(container, identityKey, NOW + i))
    verifier.check(a!)
    verifier.check(b!)
    verifier.check(a!) // a is now the most recent
    verifier.check(c!) // evicts b
    expect(verify).toHaveBeenCalledTimes(5)
    verifier.check(a!)
    verifier.check(c!)
    expect(verify).toHaveBeenCalledTimes(5)
    verifier.check(b!)
    expect(verify).toHaveBeenCalledTimes(6)
  })

  it('checks the shape of a cached bundle too, and refuses bad installation ids', () => {
    const tooMany = create(BundleSchema, {
      identity: container.bundle!.identity,
      signedPreKeys: Object.fromEntries(
        Array.from({ length: MAX_BUNDLE_INSTALLATIONS + 1 }, (_, i) => [`d${i}`, container.bundle!.signedPreKeys['device-1']!])
      )
    })
    expect(code(() => new BundleVerifier().check(signBundle(tooMany, identityKey, NOW)))).toBe('BUNDLE_MALFORMED')
    const badKey = create(BundleSchema, {
      identity: container.bundle!.identity,
      signedPreKeys: { x: create(SignedPreKeySchema, { signedPreKey: new Uint8Array(33).fill(5), version: 1 }) }
    })
    expect(code(() => new BundleVerifier().check(signBundle(badKey, identityKey, NOW)))).toBe('BUNDLE_MALFORMED')
    for (const id of ['', 'x'.repeat(MAX_INSTALLATION_ID_LENGTH + 1), 'none']) expect(code(() => assertInstallationId(id))).toBe('BUNDLE_MALFORMED')
    expect(code(() => assertInstallationId('x'.repeat(MAX_INSTALLATION_ID_LENGTH)))).toBeUndefined()
  })
})
