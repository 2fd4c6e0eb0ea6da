import type { Bundle } from './gen/encryption/protocol_message_pb'
import { NO_INSTALLATION_ID } from './dh-fallback'
import { identityKeyHex } from './installations'
import { ecdh } from '../primitives/secp256k1'

/**
 * Negotiated shared secrets (§4.6, status-go sharedsecret + protocol.go): a static-static DH between
 * identity keys, recorded per (their identity, their installation) whenever a direct message from an
 * installation speaking protocol ≥ 1 decrypts. Sending switches to the negotiated topic only once
 * every targeted installation of the peer has been recorded.
 */

/** Lowest bundle protocol_version that takes part in negotiation. */
export const SHARED_SECRET_MIN_VERSION = 1

export interface SharedSecretEntry {
  secret: Uint8Array
  /** Their installations that have sent us a decryptable message. */
  installations: readonly string[]
}

/** Keyed by their compressed identity key in lowercase hex. */
export type SharedSecretBook = Readonly<Record<string, SharedSecretEntry>>

/** DH(IK_me, IK_them): the 32-byte X coordinate; its lowercase hex names the topic and the key. */
export function negotiatedSecret(myIdentityKey: Uint8Array, theirIdentityKey: Uint8Array): Uint8Array {
  return ecdh(myIdentityKey, theirIdentityKey)
}

/**
 * status-go getProtocolVersion: the first bundle that has a prekey map decides; a sender installation
 * missing from it, or no bundle at all, counts as version 0.
 */
export function senderProtocolVersion(bundles: readonly Bundle[], senderInstallationId: string): number {
  if (senderInstallationId === '') return 0
  const bundle = bundles.find((b) => Object.keys(b.signedPreKeys).length > 0)
  return bundle?.signedPreKeys[senderInstallationId]?.protocolVersion ?? 0
}

export interface DecryptedDirectMessage {
  /** DH(IK_me, IK_them): `negotiatedSecret`, or the copy already recorded for this peer. */
  secret: Uint8Array
  theirIdentityKey: Uint8Array
  /** ProtocolMessage.installation_id of the sender. */
  senderInstallationId: string
  /** ProtocolMessage.bundles as received. */
  bundles: readonly Bundle[]
}

/**
 * Call after a direct message decrypted. Returns the updated book and the secret to open the
 * negotiated filter with, or `secret: null` when the sender does not negotiate.
 */
export function recordSharedSecret(
  book: SharedSecretBook,
  message: DecryptedDirectMessage
): { book: SharedSecretBook; secret: Uint8Array | null } {
  if (senderProtocolVersion(message.bundles, message.senderInstallationId) < SHARED_SECRET_MIN_VERSION) {
    return { book, secret: null }
  }
  const key = identityKeyHex(message.theirIdentityKey)
  const secret = message.secret
  const known = book[key]?.installations ?? []
  if (known.includes(message.senderInstallationId)) return { book, secret }
  return { book: { ...book, [key]: { secret, installations: [...known, message.senderInstallationId] } }, secret }
}

/**
 * status-go SharedSecret.Agreed for an outgoing message addressed to `targetedInstallationIds` (the
 * keys of ProtocolMessage.direct_message), `secret` being DH(IK_me, IK_them). The secret is returned even when not agreed, so the
 * sender can already listen on the negotiated topic for replies.
 */
export function sharedSecretAgreement(
  book: SharedSecretBook,
  secret: Uint8Array,
  theirIdentityKey: Uint8Array,
  targetedInstallationIds: readonly string[]
): { secret: Uint8Array; agreed: boolean } {
  const targets = targetedInstallationIds.filter((id) => id !== NO_INSTALLATION_ID)
  const known = book[identityKeyHex(theirIdentityKey)]?.installations ?? []
  return { secret, agreed: targets.length > 0 && targets.every((id) => known.includes(id)) }
}
