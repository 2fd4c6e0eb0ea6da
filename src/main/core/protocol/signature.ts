import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak256 } from '../crypto/keccak'

/** Length of an Ethereum-style recoverable signature, laid out R ‖ S ‖ V. */
export const SIGNATURE_LENGTH = 65

export class SignatureError extends Error {
  override readonly name = 'SignatureError'
  constructor(
    readonly code: 'BAD_LENGTH' | 'BAD_RECOVERY_ID' | 'UNRECOVERABLE',
    message: string
  ) {
    super(message)
  }
}

/**
 * Signs keccak256(data) the way status-go's crypto.Sign does: 65 bytes R ‖ S ‖ V
 * with V ∈ {0, 1} (noble puts the recovery byte first, so it is moved).
 */
export function signKeccak(data: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const recovered = secp256k1.sign(keccak256(data), privateKey, { prehash: false, format: 'recovered' })
  const out = new Uint8Array(SIGNATURE_LENGTH)
  out.set(recovered.subarray(1), 0)
  out[64] = recovered[0]!
  return out
}

/**
 * Recovers the uncompressed (65-byte, 0x04-prefixed) public key that produced
 * `signature` over keccak256(data). V may be 0/1 or the legacy 27/28.
 */
export function recoverKeccakSigner(data: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_LENGTH) {
    throw new SignatureError('BAD_LENGTH', `signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`)
  }
  const v = signature[64]!
  const recovery = v >= 27 ? v - 27 : v
  if (recovery !== 0 && recovery !== 1) {
    throw new SignatureError('BAD_RECOVERY_ID', `signature recovery id must be 0 or 1, got ${v}`)
  }
  const nobleLayout = new Uint8Array(SIGNATURE_LENGTH)
  nobleLayout[0] = recovery
  nobleLayout.set(signature.subarray(0, 64), 1)
  try {
    const compressed = secp256k1.recoverPublicKey(nobleLayout, keccak256(data), { prehash: false })
    return secp256k1.Point.fromBytes(compressed).toBytes(false)
  } catch (cause) {
    throw new SignatureError('UNRECOVERABLE', `no public key recovers from this signature: ${String(cause)}`)
  }
}
