import { create } from '@bufbuild/protobuf'
import { equalBytes } from '@noble/ciphers/utils.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import {
  BundleContainerSchema,
  BundleSchema,
  SignedPreKeySchema,
  type Bundle,
  type BundleContainer,
  type SignedPreKey
} from './gen/encryption/protocol_message_pb'
import { CryptoError } from '../primitives/crypto-error'
import { keccak256 } from '../primitives/keccak'
import { compressPublicKey, generatePrivateKey, publicKeyOf, recoverSigner, signDigest, type RandomBytes } from '../primitives/secp256k1'

/** Bundle protocol_version advertised by status-go v0.52 (enables partitioned topics and shared secrets). */
export const BUNDLE_PROTOCOL_VERSION = 1

/** status-go BundleRefreshInterval: a signed prekey older than this is replaced. */
export const BUNDLE_REFRESH_INTERVAL_MS = 24 * 60 * 60 * 1000

const NANOS_PER_MS = 1_000_000n

export function unixNanos(nowMs: number): bigint {
  return BigInt(Math.floor(nowMs)) * NANOS_PER_MS
}

/**
 * A fresh signed prekey for our installation, stored locally as status-go's BundleContainer. Its
 * version is the previous prekey's plus one (status-go numbers them from 1 when storing), so peers
 * expire the older prekey. The inner bundle's timestamp records when the prekey was made (it drives
 * the 24 h refresh); the copy that is sent is re-signed with the current time by `bundleForSending`.
 */
export function createBundleContainer(
  identityKey: Uint8Array,
  installationId: string,
  nowMs: number,
  random: RandomBytes,
  previousVersion = 0
): BundleContainer {
  const preKey = generatePrivateKey(random)
  return create(BundleContainerSchema, {
    bundle: create(BundleSchema, {
      identity: publicKeyOf(identityKey, true),
      signedPreKeys: {
        [installationId]: create(SignedPreKeySchema, {
          signedPreKey: publicKeyOf(preKey, true),
          version: previousVersion + 1,
          protocolVersion: BUNDLE_PROTOCOL_VERSION
        })
      },
      timestamp: unixNanos(nowMs)
    }),
    privateSignedPreKey: preKey
  })
}

/** The 24 h rule of status-go CreateBundle: the stored prekey is expired once older than the interval. */
export function needsNewSignedPreKey(container: BundleContainer, nowMs: number): boolean {
  const createdAt = container.bundle?.timestamp ?? 0n
  return createdAt < unixNanos(nowMs - BUNDLE_REFRESH_INTERVAL_MS)
}

/**
 * The bundle to attach or advertise now: our stored prekey plus those of our other enabled
 * installations (own paired devices), timestamped `nowMs` and signed with the identity key.
 */
export function bundleForSending(
  container: BundleContainer,
  identityKey: Uint8Array,
  nowMs: number,
  otherInstallations: Readonly<Record<string, SignedPreKey>> = {}
): Bundle {
  if (!container.bundle) throw new CryptoError('BUNDLE_MALFORMED', 'bundle container holds no bundle')
  const bundle = create(BundleSchema, {
    identity: container.bundle.identity,
    signedPreKeys: { ...otherInstallations, ...container.bundle.signedPreKeys }
  })
  return signBundle(bundle, identityKey, nowMs)
}

/** status-go SignBundle: refreshes the timestamp, then signs keccak256(signature material). */
export function signBundle(bundle: Bundle, identityKey: Uint8Array, nowMs: number): Bundle {
  const stamped = create(BundleSchema, { ...bundle, timestamp: unixNanos(nowMs), signature: new Uint8Array(0) })
  stamped.signature = signDigest(keccak256(bundleSignatureMaterial(stamped)), identityKey)
  return stamped
}

/**
 * For each installation id in byte order: utf8(id) ‖ signed_pre_key ‖ utf8(decimal(version)); then
 * utf8(decimal(timestamp)) when the timestamp is non-zero. protocol_version is not covered.
 */
export function bundleSignatureMaterial(bundle: Bundle): Uint8Array {
  const entries = Object.entries(bundle.signedPreKeys)
    .map(([id, spk]) => ({ id: utf8ToBytes(id), spk }))
    .sort((a, b) => compareBytes(a.id, b.id))
  const parts: Uint8Array[] = []
  for (const { id, spk } of entries) {
    parts.push(id, spk.signedPreKey, utf8ToBytes(String(spk.version)))
  }
  if (bundle.timestamp !== 0n) parts.push(utf8ToBytes(bundle.timestamp.toString()))
  return concatBytes(...parts)
}

/**
 * status-go ExtractIdentity: the signature must recover to the bundle's (compressed) identity key.
 * Returns that identity as an uncompressed 65-byte key; throws a CryptoError for any tampering.
 */
export function verifyBundle(bundle: Bundle): Uint8Array {
  if (bundle.identity.length !== 33) {
    throw new CryptoError('BUNDLE_MALFORMED', `bundle identity must be a 33-byte compressed key, got ${bundle.identity.length} bytes`)
  }
  const identity = compressPublicKey(bundle.identity)
  const signer = recoverSigner(keccak256(bundleSignatureMaterial(bundle)), bundle.signature)
  if (!equalBytes(compressPublicKey(signer), identity)) {
    throw new CryptoError('BUNDLE_IDENTITY_MISMATCH', 'bundle signature was not made by its identity key')
  }
  return signer
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!
  }
  return a.length - b.length
}
