import { create } from '@bufbuild/protobuf'
import {
  DHHeaderSchema,
  DirectMessageProtocolSchema,
  type DirectMessageProtocol
} from './gen/encryption/protocol_message_pb'
import { AES_NONCE_LENGTH, aesGcmOpen, aesGcmSeal } from '../primitives/aes-gcm'
import { CryptoError } from '../primitives/crypto-error'
import { ecdh, generatePrivateKey, publicKeyOf, type RandomBytes } from '../primitives/secp256k1'

/**
 * The no-bundle fallback (§4.5, status-go encryptWithDH / DecryptWithDH): no forward secrecy. A new
 * ephemeral key E per message; the payload is AES-256-GCM under DH(E, IK_B) in Whisper's layout
 * (ciphertext ‖ tag ‖ nonce), and compressed E travels in DHHeader.key. The result goes into
 * ProtocolMessage.direct_message under "none" so any of the recipient's devices can read it; the
 * envelope is then also ECIES-encrypted to IK_B on the partitioned topic. Used when we hold no
 * bundle for the peer, for PairInstallation (sent to our own key) and for bundle advertisements
 * (empty payload).
 */

/** Map key status-go uses when the message is not addressed to one installation. */
export const NO_INSTALLATION_ID = 'none'

export function encryptWithDh(theirIdentityKey: Uint8Array, payload: Uint8Array, random: RandomBytes): DirectMessageProtocol {
  const ephemeral = generatePrivateKey(random)
  const key = ecdh(ephemeral, theirIdentityKey)
  return create(DirectMessageProtocolSchema, {
    DHHeader: create(DHHeaderSchema, { key: publicKeyOf(ephemeral, true) }),
    payload: aesGcmSeal(key, payload, random(AES_NONCE_LENGTH))
  })
}

/** `direct_message` of a ProtocolMessage sent with the fallback. */
export function dhFallbackDirectMessages(
  theirIdentityKey: Uint8Array,
  payload: Uint8Array,
  random: RandomBytes
): Record<string, DirectMessageProtocol> {
  return { [NO_INSTALLATION_ID]: encryptWithDh(theirIdentityKey, payload, random) }
}

export function decryptWithDh(myIdentityKey: Uint8Array, message: DirectMessageProtocol): Uint8Array {
  const ephemeral = message.DHHeader?.key
  if (!ephemeral) throw new CryptoError('CIPHERTEXT_MALFORMED', 'direct message has no DH header')
  const plaintext = aesGcmOpen(ecdh(myIdentityKey, ephemeral), message.payload)
  if (!plaintext) throw new CryptoError('AUTHENTICATION_FAILED', 'DH-encrypted payload did not authenticate')
  return plaintext
}
