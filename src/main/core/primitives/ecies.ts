import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { nobleBackend, secp256k1Backend } from './secp256k1-backend'

/*
 * go-ethereum crypto/ecies with ECIES_AES128_SHA256 on secp256k1, empty shared infos (what Whisper uses):
 * z = x(r·K), K = concatKDF-SHA256(z, 32), Ke = K[0..16), Km = SHA256(K[16..32)),
 * out = R(65) ‖ IV(16) ‖ AES-128-CTR(Ke, IV, m) ‖ HMAC-SHA256(Km, IV ‖ ct).
 */

/** x-coordinate of privateKey·publicKey, 32 bytes big-endian; throws on an invalid public key. */
export type EcdhX = (privateKey: Uint8Array, publicKey: Uint8Array) => Uint8Array

const PUBLIC_KEY_LENGTH = 65
const IV_LENGTH = 16
const TAG_LENGTH = 32
/** Fixed overhead of a ciphertext over its plaintext. */
export const ECIES_OVERHEAD = PUBLIC_KEY_LENGTH + IV_LENGTH + TAG_LENGTH

/** The reference ECDH (noble, pure JS): differential tests compare the backend in use against it. */
export const ecdhXNoble: EcdhX = nobleBackend.ecdhX

/** ECDH on the process's secp256k1 backend (libsecp256k1 in WebAssembly, or noble when it cannot load). */
export const ecdhX: EcdhX = (privateKey, publicKey) => secp256k1Backend.ecdhX(privateKey, publicKey)

/** NIST SP 800-56 concatenation KDF with SHA-256 (counter from 1, big-endian, then z, then s1). */
export function concatKdf(z: Uint8Array, s1: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 32) * 32)
  const counter = new Uint8Array(4)
  const view = new DataView(counter.buffer)
  for (let i = 0; i * 32 < length; i++) {
    view.setUint32(0, i + 1)
    out.set(createHash('sha256').update(counter).update(z).update(s1).digest(), i * 32)
  }
  return out.slice(0, length)
}

function deriveKeys(z: Uint8Array): { ke: Uint8Array; km: Uint8Array } {
  const k = concatKdf(z, new Uint8Array(0), 32)
  return { ke: k.subarray(0, 16), km: createHash('sha256').update(k.subarray(16, 32)).digest() }
}

export interface EciesEncryptOptions {
  /** Injected for test vectors; random otherwise. */
  ephemeralPrivateKey?: Uint8Array
  iv?: Uint8Array
  ecdh?: EcdhX
}

/** Encrypt to a secp256k1 public key (33 or 65 bytes). */
export function eciesEncrypt(publicKey: Uint8Array, message: Uint8Array, options: EciesEncryptOptions = {}): Uint8Array {
  const ephemeral = options.ephemeralPrivateKey ?? secp256k1.utils.randomSecretKey()
  const iv = options.iv ?? new Uint8Array(randomBytes(IV_LENGTH))
  if (iv.length !== IV_LENGTH) throw new Error(`ECIES IV must be ${IV_LENGTH} bytes`)
  const { ke, km } = deriveKeys((options.ecdh ?? ecdhX)(ephemeral, publicKey))
  const cipher = createCipheriv('aes-128-ctr', ke, iv)
  const em = concatBytes(iv, cipher.update(message), cipher.final())
  const tag = createHmac('sha256', km).update(em).digest()
  return concatBytes(secp256k1Backend.publicKey(ephemeral, false), em, tag)
}

/**
 * Decrypt, or null when the ciphertext is not for this key (wrong key, corrupt, malformed):
 * receivers try every asymmetric filter, so "not mine" is the normal outcome, not an error.
 */
export function eciesDecrypt(privateKey: Uint8Array, ciphertext: Uint8Array, ecdh: EcdhX = ecdhX): Uint8Array | null {
  if (ciphertext.length < ECIES_OVERHEAD + 1 || ciphertext[0] !== 0x04) return null
  let z: Uint8Array
  try {
    z = ecdh(privateKey, ciphertext.subarray(0, PUBLIC_KEY_LENGTH))
  } catch {
    return null
  }
  const { ke, km } = deriveKeys(z)
  const em = ciphertext.subarray(PUBLIC_KEY_LENGTH, ciphertext.length - TAG_LENGTH)
  const tag = createHmac('sha256', km).update(em).digest()
  if (!timingSafeEqual(tag, ciphertext.subarray(ciphertext.length - TAG_LENGTH))) return null
  const decipher = createDecipheriv('aes-128-ctr', ke, em.subarray(0, IV_LENGTH))
  return concatBytes(decipher.update(em.subarray(IV_LENGTH)), decipher.final())
}
