import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { Bundle } from './gen/encryption/protocol_message_pb'
import type { StoreOp } from '../storage/encrypted-store'
import { decompressPublicKey } from '../primitives/secp256k1'
import { identityKeyHex } from './installations'
import { secretWrite, type RecordIds } from './protocol-state'
import { negotiatedSecret, recordSharedSecret, sharedSecretAgreement, type SharedSecretBook } from './shared-secret'

export interface SharedSecretEvent {
  /** "0x04…" hex of the peer's identity key. */
  peer: string
  secret: Uint8Array
  /** Every active installation of the peer has sent us a decryptable message: use the negotiated topic. */
  negotiatedReady: boolean
}

/** Secrets with peers that have not replied yet, kept so that every message to them costs no ECDH. */
export const UNRECORDED_SECRET_CACHE_SIZE = 256

export interface NegotiatedSecretsOptions {
  identityKey: Uint8Array
  ids: RecordIds
  /** Installation ids a message to this peer (compressed key hex) would address now. */
  targetsOf: (peer: string) => string[]
  onEvent: (event: SharedSecretEvent) => void
}

/**
 * The negotiated shared secrets (shared-secret.ts) of one account: the book loaded from the store, who has
 * replied, and the sharedSecret events. A secret is an ECDH of the two identity keys, computed once per
 * peer: afterwards it comes from its record (or, before the peer replied, from a small cache).
 */
export class NegotiatedSecrets {
  private book: SharedSecretBook = {}
  private readonly unrecorded = new Map<string, Uint8Array>()
  private readonly announcedReady = new Map<string, boolean>()

  constructor(private readonly opts: NegotiatedSecretsOptions) {}

  /** Takes the stored book and announces every secret in it. */
  load(book: SharedSecretBook): void {
    this.book = book
    for (const peer of Object.keys(book)) this.announce(peer, true)
  }

  has(peer: string): boolean {
    return this.book[peer] !== undefined
  }

  events(): SharedSecretEvent[] {
    return Object.keys(this.book).map((peer) => this.event(peer))
  }

  /** DH(IK_me, IK_them) for `theirKey` (any encoding; `peer` is its compressed hex). */
  secretWith(theirKey: Uint8Array, peer = identityKeyHex(theirKey)): Uint8Array {
    const recorded = this.book[peer]?.secret ?? this.unrecorded.get(peer)
    if (recorded) return recorded
    const secret = negotiatedSecret(this.opts.identityKey, theirKey)
    this.unrecorded.set(peer, secret)
    if (this.unrecorded.size > UNRECORDED_SECRET_CACHE_SIZE) this.unrecorded.delete(this.unrecorded.keys().next().value!)
    return secret
  }

  /** For an outgoing message addressed to `installationIds`. */
  agreement(theirKey: Uint8Array, peer: string, installationIds: readonly string[]): { secret: Uint8Array; agreed: boolean } {
    return sharedSecretAgreement(this.book, this.secretWith(theirKey, peer), theirKey, installationIds)
  }

  /** A direct message from `theirKey` decrypted: records its sender installation if it negotiates. */
  record(theirKey: Uint8Array, peer: string, senderInstallationId: string, bundles: readonly Bundle[]): StoreOp[] {
    const { book } = recordSharedSecret(this.book, { secret: this.secretWith(theirKey, peer), theirIdentityKey: theirKey, senderInstallationId, bundles })
    if (book === this.book) return []
    this.book = book
    this.unrecorded.delete(peer)
    const entry = book[peer]!
    this.announce(peer, true)
    return [secretWrite(this.opts.ids, peer, entry.secret, entry.installations)]
  }

  /** Emits when a secret is new (`force`) or its readiness changed since last told. */
  announce(peer: string, force: boolean): void {
    const event = this.event(peer)
    if (!force && this.announcedReady.get(peer) === event.negotiatedReady) return
    this.announcedReady.set(peer, event.negotiatedReady)
    this.opts.onEvent(event)
  }

  private event(peer: string): SharedSecretEvent {
    const theirKey = decompressPublicKey(hexToBytes(peer))
    const { secret, agreed } = this.agreement(theirKey, peer, this.opts.targetsOf(peer))
    return { peer: `0x${bytesToHex(theirKey)}`, secret, negotiatedReady: agreed }
  }
}
