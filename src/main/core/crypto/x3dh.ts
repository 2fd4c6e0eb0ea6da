import { concatBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { compressPublicKey, ecdh, generatePrivateKey, publicKeyOf, type RandomBytes } from '../primitives/secp256k1'

/**
 * Status X3DH (status-go protocol/encryption/x3dh.go): no one-time prekeys and no KDF beyond one
 * keccak256 over the three DH outputs, each the raw 32-byte X coordinate.
 */

export interface X3dhInitiatorInput {
  myIdentityKey: Uint8Array
  myEphemeralKey: Uint8Array
  theirIdentityKey: Uint8Array
  theirSignedPreKey: Uint8Array
}

export interface X3dhResponderInput {
  myIdentityKey: Uint8Array
  mySignedPreKey: Uint8Array
  theirIdentityKey: Uint8Array
  theirEphemeralKey: Uint8Array
}

/** SK = keccak256(DH(IK_A, SPK_B) ‖ DH(EK_A, IK_B) ‖ DH(EK_A, SPK_B)). */
export function x3dhInitiatorSecret(input: X3dhInitiatorInput): Uint8Array {
  return keccak256(
    concatBytes(
      ecdh(input.myIdentityKey, input.theirSignedPreKey),
      ecdh(input.myEphemeralKey, input.theirIdentityKey),
      ecdh(input.myEphemeralKey, input.theirSignedPreKey)
    )
  )
}

/** SK = keccak256(DH(SPK_B, IK_A) ‖ DH(IK_B, EK_A) ‖ DH(SPK_B, EK_A)); equals the initiator's SK. */
export function x3dhResponderSecret(input: X3dhResponderInput): Uint8Array {
  return keccak256(
    concatBytes(
      ecdh(input.mySignedPreKey, input.theirIdentityKey),
      ecdh(input.myIdentityKey, input.theirEphemeralKey),
      ecdh(input.mySignedPreKey, input.theirEphemeralKey)
    )
  )
}

export interface ActiveX3dhResult {
  sharedKey: Uint8Array
  /** Compressed EK_A, sent as X3DHHeader.key. */
  ephemeralPublicKey: Uint8Array
  /** Compressed SPK_B, sent as X3DHHeader.id and used as the bundle id of the session. */
  signedPreKeyId: Uint8Array
}

/** Initiator side with a fresh ephemeral key, starting from the peer's bundle keys (compressed or not). */
export function performActiveX3dh(
  myIdentityKey: Uint8Array,
  theirIdentityKey: Uint8Array,
  theirSignedPreKey: Uint8Array,
  random: RandomBytes
): ActiveX3dhResult {
  const myEphemeralKey = generatePrivateKey(random)
  return {
    sharedKey: x3dhInitiatorSecret({ myIdentityKey, myEphemeralKey, theirIdentityKey, theirSignedPreKey }),
    ephemeralPublicKey: publicKeyOf(myEphemeralKey, true),
    signedPreKeyId: compressPublicKey(theirSignedPreKey)
  }
}
