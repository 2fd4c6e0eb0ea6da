import { secp256k1 } from '@noble/curves/secp256k1.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { CryptoError } from './crypto-error'
import { ecdhX } from './ecies'

/** Source of randomness; injected so that tests and vectors are deterministic. */
export type RandomBytes = (length: number) => Uint8Array

export const secureRandom: RandomBytes = (length) => randomBytes(length)

/** A fresh secp256k1 private key drawn from `random` (redrawn in the negligible case it is out of range). */
export function generatePrivateKey(random: RandomBytes): Uint8Array {
  for (;;) {
    const candidate = random(32)
    if (candidate.length === 32 && secp256k1.utils.isValidSecretKey(candidate)) return candidate
  }
}

export function publicKeyOf(privateKey: Uint8Array, compressed = true): Uint8Array {
  assertPrivateKey(privateKey)
  return secp256k1.getPublicKey(privateKey, compressed)
}

export function compressPublicKey(publicKey: Uint8Array): Uint8Array {
  return pointOf(publicKey).toBytes(true)
}

export function decompressPublicKey(publicKey: Uint8Array): Uint8Array {
  return pointOf(publicKey).toBytes(false)
}

/** Whether `publicKey` (33 or 65 bytes) is a valid point on the curve. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  try {
    pointOf(publicKey)
    return true
  } catch {
    return false
  }
}

/**
 * ECDH as status-go does it everywhere in the encryption layer (ecies GenerateShared with 16+16):
 * the 32-byte big-endian X coordinate of privateKey·publicKey, with no hashing. Runs on the ECIES
 * module's backend (node:crypto when the runtime has secp256k1, else noble).
 */
export function ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 33 && publicKey.length !== 65) {
    throw new CryptoError('INVALID_KEY', `public key must be 33 or 65 bytes, got ${publicKey.length}`)
  }
  assertPrivateKey(privateKey)
  try {
    return ecdhX(privateKey, publicKey)
  } catch {
    throw new CryptoError('INVALID_KEY', 'public key is not a point on secp256k1')
  }
}

/** Ethereum-style signature of a 32-byte digest: R ‖ S ‖ V with V ∈ {0, 1}. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  assertDigest(digest)
  assertPrivateKey(privateKey)
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: 'recovered' })
  const out = new Uint8Array(65)
  out.set(recovered.subarray(1), 0)
  out[64] = recovered[0]!
  return out
}

/** Recovers the uncompressed 65-byte signer key from an R ‖ S ‖ V signature (V may be 0/1 or 27/28). */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  assertDigest(digest)
  if (signature.length !== 65) {
    throw new CryptoError('INVALID_SIGNATURE', `signature must be 65 bytes, got ${signature.length}`)
  }
  const v = signature[64]! >= 27 ? signature[64]! - 27 : signature[64]!
  if (v > 1) throw new CryptoError('INVALID_SIGNATURE', `signature recovery id ${signature[64]} is not 0/1/27/28`)
  const recovered = new Uint8Array(65)
  recovered[0] = v
  recovered.set(signature.subarray(0, 64), 1)
  try {
    return secp256k1.Signature.fromBytes(recovered, 'recovered').recoverPublicKey(digest).toBytes(false)
  } catch (cause) {
    throw new CryptoError('INVALID_SIGNATURE', `cannot recover a key from the signature: ${(cause as Error).message}`)
  }
}

function assertDigest(digest: Uint8Array): void {
  if (digest.length !== 32) throw new RangeError(`digest must be 32 bytes, got ${digest.length}`)
}

function assertPrivateKey(privateKey: Uint8Array): void {
  if (privateKey.length !== 32 || !secp256k1.utils.isValidSecretKey(privateKey)) {
    throw new CryptoError('INVALID_KEY', 'private key must be a 32-byte scalar in [1, n-1]')
  }
}

function pointOf(publicKey: Uint8Array) {
  if (publicKey.length !== 33 && publicKey.length !== 65) {
    throw new CryptoError('INVALID_KEY', `public key must be 33 or 65 bytes, got ${publicKey.length}`)
  }
  try {
    return secp256k1.Point.fromBytes(publicKey)
  } catch {
    throw new CryptoError('INVALID_KEY', 'public key is not a point on secp256k1')
  }
}
