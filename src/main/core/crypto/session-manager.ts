import { EventEmitter } from 'node:events'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { equalBytes } from '@noble/ciphers/utils.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import {
  BundleSchema,
  DRHeaderSchema,
  DirectMessageProtocolSchema,
  ProtocolMessageSchema,
  X3DHHeaderSchema,
  type Bundle,
  type DirectMessageProtocol,
  type ProtocolMessage
} from './gen/encryption/protocol_message_pb'
import type { EncryptedStore, StoreOp } from '../storage/encrypted-store'
import { assertInstallationId, BundleVerifier, MAX_BUNDLES_PER_MESSAGE, MAX_INSTALLATION_ID_LENGTH } from './bundle-checks'
import { CryptoError } from '../primitives/crypto-error'
import { decryptWithDh, dhFallbackDirectMessages, NO_INSTALLATION_ID } from './dh-fallback'
import { activeInstallations, identityKeyHex, pairedSignedPreKeys, recordBundle, type InstallationBook } from './installations'
import { NegotiatedSecrets, type SharedSecretEvent } from './negotiated-secrets'
import { PendingKeys, type SessionBatch } from './pending-keys'
import { PreKeys } from './prekeys'
import { installationsWrite, loadProtocolState, messageKeyId, RecordIds, sessionWrites, type ProtocolState, type Session } from './protocol-state'
import { confirmMessageKey, ratchetDecrypt, ratchetEncrypt, STATUS_RATCHET_LIMITS, type MessageKeyRef, type RatchetLimits } from './ratchet'
import { compressPublicKey, decompressPublicKey, isValidPublicKey, publicKeyOf, secureRandom, type RandomBytes } from '../primitives/secp256k1'
import { initiatorSession, responderSession, sendingSession, type SessionSetup } from './x3dh-sessions'

export { MAX_BUNDLES_PER_MESSAGE } from './bundle-checks'
export type { SharedSecretEvent } from './negotiated-secrets'
export type { SessionBatch } from './pending-keys'

/*
 * status-go's encryption.Protocol for Hush (spec §4): prekey bundles, X3DH, the Double Ratchet, the
 * no-bundle DH fallback, installations and negotiated shared secrets, over R's pure functions. This file
 * runs the sessions; prekeys.ts, pending-keys.ts, negotiated-secrets.ts and bundle-checks.ts hold the rest.
 *
 * Two-phase persistence: encrypt/decrypt never write. They return the store ops of their step, which the
 * caller commits in one batch with its own records (outbox, inbox journal); after that batch, confirm().
 * The in-memory state runs ahead of the store by whatever the caller has not committed yet, and every op
 * is written so that committing any subset of them, in any order, stays safe (see protocol-state.ts):
 * a message whose batch never landed decrypts again after a restart, and one whose batch landed never
 * does. The only writes made here directly are at init (tidying) and prekey rotation, whose records
 * nothing else touches.
 *
 * Serialisation: after init() every operation runs start to finish without awaiting, so operations on
 * the same peer (or any peer) cannot interleave; each builds on the state the previous one left.
 *
 * Group commit: decrypts given the same `batch()` token promise that their ops are committed in one batch
 * (or not at all), so a message key handed out by one of them is not re-put by the next (see pending-keys.ts).
 */

export interface SessionIdentity {
  privateKey: Uint8Array
  /** Uncompressed, 65 bytes. */
  publicKey: Uint8Array
}

export interface SessionManagerOptions {
  identity: SessionIdentity
  installationId: string
  store: EncryptedStore
  now?: () => number
  random?: RandomBytes
  limits?: RatchetLimits
}

export interface InstallationsEvent {
  peer: string
  installations: Array<{ id: string; firstSeen: number }>
}

export type SessionManagerEvents = {
  sharedSecret: [SharedSecretEvent]
  installations: [InstallationsEvent]
}

export interface EncryptOutcome {
  /** Encoded ProtocolMessage, our bundle attached. */
  protocolMessage: Uint8Array
  writes: StoreOp[]
  /** Keys of direct_message: the recipient installations addressed, or "none" for the DH fallback. */
  installationIds: string[]
  /** Negotiated secret with the recipient; `agreed` when every addressed installation has replied. */
  sharedSecret: { secret: Uint8Array; agreed: boolean }
}

export type DecryptOutcome =
  | {
      kind: 'message'
      payload: Uint8Array
      /** The sender's installation. */
      installationId: string
      /** How it was protected: ratchet (PFS), the DH fallback (no PFS), or sent in clear (public_message). */
      via: 'ratchet' | 'dh' | 'public'
      writes: StoreOp[]
      /** Call once `writes` are committed; forgets the message key in memory. Idempotent. */
      confirm(): void
    }
  | { kind: 'bundle-only'; writes: StoreOp[] }
  | {
      kind: 'not-for-us'
      /**
       * other-device: from someone else, not addressed to this installation (status-go ErrDeviceNotFound:
       * they may lack our bundle); own-message: our own installation's message; unpaired-own-device: our
       * identity, another installation that does not address us.
       */
      reason: 'other-device' | 'own-message' | 'unpaired-own-device'
      writes: StoreOp[]
    }

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  private readonly identity: SessionIdentity
  private readonly myHex: string
  private readonly installationId: string
  private readonly store: EncryptedStore
  private readonly now: () => number
  private readonly random: RandomBytes
  private readonly limits: RatchetLimits
  private readonly ids: RecordIds
  private state: ProtocolState | null = null
  private readonly preKeys: PreKeys
  private readonly pending = new PendingKeys()
  private readonly secrets: NegotiatedSecrets
  private readonly bundles = new BundleVerifier()
  private readonly setup: SessionSetup

  constructor(opts: SessionManagerOptions) {
    super()
    const { privateKey, publicKey } = opts.identity
    if (publicKey.length !== 65 || !equalBytes(publicKeyOf(privateKey, false), publicKey)) {
      throw new CryptoError('INVALID_KEY', 'identity public key must be the uncompressed key of the identity private key')
    }
    assertInstallationId(opts.installationId)
    this.identity = { privateKey, publicKey }
    this.myHex = identityKeyHex(publicKey)
    this.installationId = opts.installationId
    this.store = opts.store
    this.now = opts.now ?? Date.now
    this.random = opts.random ?? secureRandom
    this.limits = opts.limits ?? STATUS_RATCHET_LIMITS
    this.ids = new RecordIds(privateKey)
    this.setup = { identityKey: privateKey, ids: this.ids, now: this.now, random: this.random }
    this.preKeys = new PreKeys({ identityKey: privateKey, installationId: this.installationId, store: this.store, now: this.now, random: this.random })
    this.secrets = new NegotiatedSecrets({
      identityKey: privateKey,
      ids: this.ids,
      targetsOf: (peer) => activeInstallations(this.ready().installations, hexToBytes(peer)).map((i) => i.id),
      onEvent: (event) => this.emit('sharedSecret', event)
    })
  }

  /** Loads the state, tidies what a crash left behind and makes our first (or a due) signed prekey. */
  async init(): Promise<void> {
    if (this.state) return
    const { state, cleanup } = await loadProtocolState(this.store)
    if (cleanup.length > 0) await this.store.batch(cleanup)
    this.state = state
    this.preKeys.load(state.preKeys)
    await this.rotatePreKeyIfDue()
    this.secrets.load(state.secrets)
  }

  /** Our current bundle, signed within the last few minutes: for the contact-code topic and for every outgoing message. */
  ownBundle(): Bundle {
    return this.preKeys.bundle(pairedSignedPreKeys(this.ready().installations, this.identity.publicKey))
  }

  /** The contact-code advertisement: a ProtocolMessage carrying only our bundle. */
  contactCodeMessage(): Uint8Array {
    return toBinary(ProtocolMessageSchema, create(ProtocolMessageSchema, { installationId: this.installationId, bundles: [this.ownBundle()] }))
  }

  /**
   * A ProtocolMessage any installation of `recipient` can read, with no forward secrecy and no state:
   * for pairing (to our own key) and for answering a peer that lacks our bundle (empty payload).
   */
  buildDhMessage(recipient: Uint8Array, payload: Uint8Array): Uint8Array {
    this.ready()
    const theirKey = peerKey(recipient)
    return this.protocolMessage(dhFallbackDirectMessages(theirKey, payload, this.random))
  }

  /** Negotiated secrets known so far, as the sharedSecret event reports them. */
  negotiatedSecrets(): SharedSecretEvent[] {
    this.ready()
    return this.secrets.events()
  }

  /**
   * The secret a negotiated topic with `peer` would use, recorded or not: whoever writes to a peer listens
   * there, because the peer may count that message as a reply and move to the negotiated topic.
   */
  negotiatedSecretWith(peer: Uint8Array): Uint8Array {
    this.ready()
    return this.secrets.secretWith(peerKey(peer))
  }

  /** Runs the 24 h prekey refresh now if it is due; ownBundle and encrypt also start it on their own. */
  rotatePreKeyIfDue(): Promise<void> {
    return this.preKeys.rotateIfDue()
  }

  async encrypt(recipient: Uint8Array, payload: Uint8Array): Promise<EncryptOutcome> {
    const state = this.ready()
    const theirKey = peerKey(recipient)
    const peer = identityKeyHex(theirKey)
    const targets = activeInstallations(state.installations, theirKey).filter((i) => i.id !== this.installationId)

    let direct: Record<string, DirectMessageProtocol>
    const changes: Array<{ before: Session | undefined; after: Session }> = []
    if (targets.length === 0) {
      direct = dhFallbackDirectMessages(theirKey, payload, this.random)
    } else {
      direct = {}
      for (const installation of targets) {
        const before = sendingSession(state.sessions.values(), peer, installation, this.preKeys.current())
        const session = before ?? initiatorSession(this.setup, theirKey, peer, installation)
        const { state: ratchet, header, ciphertext } = ratchetEncrypt(session.ratchet, payload)
        const after: Session = { ...session, ratchet, version: session.version + 1 }
        changes.push({ before, after })
        direct[installation.id] = create(DirectMessageProtocolSchema, {
          DRHeader: create(DRHeaderSchema, { key: header.dh, n: header.n, pn: header.pn, id: after.bundleId }),
          X3DHHeader: after.pendingX3dh ? create(X3DHHeaderSchema, { key: after.pendingX3dh, id: after.bundleId }) : undefined,
          payload: ciphertext
        })
      }
    }

    const writes = changes.flatMap(({ before, after }) => this.commitSession(before, after))
    const installationIds = Object.keys(direct)
    return {
      protocolMessage: this.protocolMessage(direct),
      writes,
      installationIds,
      sharedSecret: this.secrets.agreement(theirKey, peer, installationIds)
    }
  }

  /** A token for decrypts whose ops the caller commits together, in one atomic batch or not at all. */
  batch(): SessionBatch {
    return { kind: 'session-batch' }
  }

  /** `batch`: given when these ops are committed in one batch with those of other decrypts given it. */
  async decrypt(sender: Uint8Array, protocolMessage: Uint8Array, batch?: SessionBatch): Promise<DecryptOutcome> {
    const state = this.ready()
    const theirKey = peerKey(sender)
    const peer = identityKeyHex(theirKey)
    const message = decodeMessage(protocolMessage)
    if (message.installationId.length > MAX_INSTALLATION_ID_LENGTH) {
      throw new CryptoError('CIPHERTEXT_MALFORMED', 'sender installation id is too long')
    }
    if (message.bundles.length > MAX_BUNDLES_PER_MESSAGE) {
      throw new CryptoError('CIPHERTEXT_MALFORMED', `protocol message carries ${message.bundles.length} bundles (at most ${MAX_BUNDLES_PER_MESSAGE})`)
    }
    for (const bundle of message.bundles) this.bundles.check(bundle)
    const writes = message.bundles.flatMap((bundle) => this.applyBundle(bundle))

    if (message.publicMessage.length > 0) {
      return { kind: 'message', payload: message.publicMessage, installationId: message.installationId, via: 'public', writes, confirm: () => {} }
    }
    const entries = message.directMessage
    if (Object.keys(entries).length === 0) {
      if (message.bundles.length === 0) throw new CryptoError('CIPHERTEXT_MALFORMED', 'protocol message carries no payload and no bundle')
      return { kind: 'bundle-only', writes }
    }
    const entry = entries[this.installationId] ?? entries[NO_INSTALLATION_ID]
    if (!entry) {
      const reason = peer !== this.myHex ? 'other-device' : message.installationId === this.installationId ? 'own-message' : 'unpaired-own-device'
      return { kind: 'not-for-us', reason, writes }
    }

    let payload: Uint8Array
    let via: 'ratchet' | 'dh'
    let confirm = () => {}
    if (entry.DRHeader) {
      const result = this.decryptRatchet(state, theirKey, peer, message.installationId, entry, batch)
      payload = result.payload
      writes.push(...result.writes)
      confirm = result.confirm
      via = 'ratchet'
    } else if (entry.DHHeader) {
      payload = decryptWithDh(this.identity.privateKey, entry)
      via = 'dh'
    } else {
      throw new CryptoError('CIPHERTEXT_MALFORMED', 'direct message has neither a ratchet nor a DH header')
    }

    if (peer !== this.myHex) writes.push(...this.secrets.record(theirKey, peer, message.installationId, message.bundles))
    if (via === 'dh' && payload.length === 0) return { kind: 'bundle-only', writes }
    return { kind: 'message', payload, installationId: message.installationId, via, writes, confirm }
  }

  /** A bundle advertised on the sender's contact-code topic; it must be the sender's own. */
  async handleBundle(sender: Uint8Array, bundleBytes: Uint8Array): Promise<StoreOp[]> {
    this.ready()
    const theirKey = peerKey(sender)
    let bundle: Bundle
    try {
      bundle = fromBinary(BundleSchema, bundleBytes)
    } catch (cause) {
      throw new CryptoError('BUNDLE_MALFORMED', `bundle does not decode: ${(cause as Error).message}`)
    }
    this.bundles.check(bundle)
    if (!equalBytes(compressPublicKey(bundle.identity), compressPublicKey(theirKey))) {
      throw new CryptoError('BUNDLE_IDENTITY_MISMATCH', 'advertised bundle belongs to another identity than its sender')
    }
    return this.applyBundle(bundle)
  }

  private ready(): ProtocolState {
    if (!this.state) throw new Error('SessionManager.init() must complete first')
    return this.state
  }

  private protocolMessage(direct: Record<string, DirectMessageProtocol>): Uint8Array {
    return toBinary(
      ProtocolMessageSchema,
      create(ProtocolMessageSchema, { installationId: this.installationId, bundles: [this.ownBundle()], directMessage: direct })
    )
  }

  private decryptRatchet(
    state: ProtocolState,
    theirKey: Uint8Array,
    peer: string,
    installationId: string,
    entry: DirectMessageProtocol,
    batch: SessionBatch | undefined
  ): { payload: Uint8Array; writes: StoreOp[]; confirm: () => void } {
    const dr = entry.DRHeader!
    if (dr.id.length !== 33) throw new CryptoError('CIPHERTEXT_MALFORMED', 'ratchet header bundle id must be a 33-byte key')
    const sid = this.ids.session(peer, dr.id, installationId)
    const before = state.sessions.get(sid)
    const header = { dh: dr.key, n: dr.n, pn: dr.pn }
    const options = { random: this.random, limits: this.limits }
    let session = before ?? this.respondToX3dh(theirKey, peer, installationId, entry)
    let result: ReturnType<typeof ratchetDecrypt>
    try {
      result = ratchetDecrypt(session.ratchet, header, entry.payload, options)
    } catch (error) {
      const x3dh = entry.X3DHHeader
      const reopened = before?.role === 'responder' && x3dh && !(before.theirX3dh && equalBytes(before.theirX3dh, x3dh.key))
      if (!reopened) throw error
      // The peer opened this session again on the same prekey with a new ephemeral key (it lost its
      // state): if that X3DH yields a working session, it replaces ours.
      const fresh = { ...this.respondToX3dh(theirKey, peer, installationId, entry), version: before.version }
      try {
        result = ratchetDecrypt(fresh.ratchet, header, entry.payload, options)
      } catch {
        throw error
      }
      session = fresh
    }
    // The peer answered in this session, so it has it: stop re-sending the X3DH header.
    const after: Session = { ...session, ratchet: result.state, pendingX3dh: null, version: session.version + 1 }
    const writes = this.commitSession(before, after, result.messageKey, batch)
    return { payload: result.plaintext, writes, confirm: () => this.confirm(sid, result.messageKey) }
  }

  private respondToX3dh(theirKey: Uint8Array, peer: string, installationId: string, entry: DirectMessageProtocol): Session {
    return responderSession(this.setup, (bundleId) => this.preKeys.privateKeyOf(bundleId), theirKey, peer, installationId, entry)
  }

  /** Moves the cache to `after` and returns the ops that persist the step. */
  private commitSession(before: Session | undefined, after: Session, consumed?: MessageKeyRef, batch?: SessionBatch): StoreOp[] {
    const consumedId = consumed ? messageKeyId(consumed) : undefined
    const writes = sessionWrites(this.ids, { before, after, consumed, ...this.pending.step(after.sid, consumedId, batch) })
    const stored = consumedId ? after.ratchet.messageKeys.find((k) => messageKeyId(k) === consumedId) : undefined
    if (stored) this.pending.handOut(after.sid, stored, batch)
    this.ready().sessions.set(after.sid, after)
    return writes
  }

  private confirm(sid: string, ref: MessageKeyRef): void {
    const state = this.ready()
    if (!this.pending.confirm(sid, ref)) return
    const session = state.sessions.get(sid)
    if (session) state.sessions.set(sid, { ...session, ratchet: confirmMessageKey(session.ratchet, ref) })
  }

  private applyBundle(bundle: Bundle): StoreOp[] {
    const state = this.ready()
    const identity = identityKeyHex(bundle.identity)
    const previous = state.installations[identity] ?? []
    const { book, added } = recordBundle(state.installations, bundle, {
      myPublicKey: this.identity.publicKey,
      myInstallationId: this.installationId,
      nowMs: this.now()
    })
    const next = book[identity] ?? []
    const identityKey = bundle.identity
    const activeBefore = activeIds(state.installations, identityKey)
    state.installations = book
    const preKeysChanged = next.some((i) => !previous.some((p) => p.id === i.id && p.signedPreKeyVersion === i.signedPreKeyVersion))
    if (added.length > 0 || preKeysChanged) {
      this.emit('installations', { peer: eventPeer(identity), installations: next.map((i) => ({ id: i.id, firstSeen: i.firstSeenMs })) })
    }
    if (this.secrets.has(identity) && activeIds(book, identityKey) !== activeBefore) this.secrets.announce(identity, false)
    return [installationsWrite(this.ids, identity, next)]
  }
}

/** The installations a message to `identity` would address, as a comparable string. */
function activeIds(book: InstallationBook, identity: Uint8Array): string {
  return activeInstallations(book, identity)
    .map((i) => i.id)
    .sort()
    .join('\u0000')
}

function peerKey(publicKey: Uint8Array): Uint8Array {
  if (!isValidPublicKey(publicKey)) throw new CryptoError('INVALID_KEY', 'peer key is not a secp256k1 public key')
  return decompressPublicKey(publicKey)
}

function eventPeer(identityHex: string): string {
  return `0x${bytesToHex(decompressPublicKey(hexToBytes(identityHex)))}`
}

function decodeMessage(bytes: Uint8Array): ProtocolMessage {
  try {
    return fromBinary(ProtocolMessageSchema, bytes)
  } catch (cause) {
    throw new CryptoError('CIPHERTEXT_MALFORMED', `protocol message does not decode: ${(cause as Error).message}`)
  }
}
