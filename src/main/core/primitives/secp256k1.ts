import { secp256k1 } from '@noble/curves/secp256k1.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { CryptoError } from './crypto-error'
import { secp256k1Backend as backend } from './secp256k1-backend'

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
  return backend.publicKey(privateKey, compressed)
}

export function compressPublicKey(publicKey: Uint8Array): Uint8Array {
  return convertPoint(publicKey, true)
}

export function decompressPublicKey(publicKey: Uint8Array): Uint8Array {
  return convertPoint(publicKey, false)
}

/** Whether `publicKey` (33 or 65 bytes) is a valid point on the curve. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  try {
    convertPoint(publicKey, true)
    return true
  } catch {
    return false
  }
}

/**
 * ECDH as status-go does it everywhere in the encryption layer (ecies GenerateShared with 16+16):
 * the 32-byte big-endian X coordinate of privateKey·publicKey, with no hashing (geth's Whisper ECIES uses the
 * same X coordinate as its KDF input).
 */
export function ecdh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 33 && publicKey.length !== 65) {
    throw new CryptoError('INVALID_KEY', `public key must be 33 or 65 bytes, got ${publicKey.length}`)
  }
  assertPrivateKey(privateKey)
  try {
    return backend.ecdhX(privateKey, publicKey)
  } catch {
    throw new CryptoError('INVALID_KEY', 'public key is not a point on secp256k1')
  }
}

/** Ethereum-style signature of a 32-byte digest: R ‖ S ‖ V with V ∈ {0, 1}. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  assertDigest(digest)
  assertPrivateKey(privateKey)
  return backend.sign(digest, privateKey)
}

/** Recovers the uncompressed 65-byte signer key from an R ‖ S ‖ V signature (V may be 0/1 or 27/28). */
export function recoverSigner(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  assertDigest(digest)
  if (signature.length !== 65) {
    throw new CryptoError('INVALID_SIGNATURE', `signature must be 65 bytes, got ${signature.length}`)
  }
  const v = signature[64]! >= 27 ? signature[64]! - 27 : signature[64]!
  if (v > 1) throw new CryptoError('INVALID_SIGNATURE', `signature recovery id ${signature[64]} is not 0/1/27/28`)
  try {
    return backend.recover(digest, signature.subarray(0, 64), v as 0 | 1)
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

function convertPoint(publicKey: Uint8Array, compressed: boolean): Uint8Array {
  if (publicKey.length !== 33 && publicKey.length !== 65) {
    throw new CryptoError('INVALID_KEY', `public key must be 33 or 65 bytes, got ${publicKey.length}`)
  }
  try {
    return backend.convertPoint(publicKey, compressed)
  } catch {
    throw new CryptoError('INVALID_KEY', 'public key is not a point on secp256k1')
  }
}
