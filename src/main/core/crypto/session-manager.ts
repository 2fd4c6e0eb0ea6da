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
  type BundleContainer,
  type DirectMessageProtocol,
  type ProtocolMessage
} from './gen/encryption/protocol_message_pb'
import type { EncryptedStore, StoreOp } from '../storage/encrypted-store'
import { bundleForSending, createBundleContainer, needsNewSignedPreKey, verifyBundle } from './bundle'
import { CryptoError } from '../primitives/crypto-error'
import { decryptWithDh, dhFallbackDirectMessages, NO_INSTALLATION_ID } from './dh-fallback'
import { activeInstallations, identityKeyHex, pairedSignedPreKeys, recordBundle, type Installation, type InstallationBook } from './installations'
import {
  installationsWrite,
  loadProtocolState,
  messageKeyId,
  preKeyWrite,
  RecordIds,
  secretWrite,
  sessionWrites,
  type ProtocolState,
  type Session
} from './protocol-state'
import {
  confirmMessageKey,
  initiatorRatchet,
  ratchetDecrypt,
  ratchetEncrypt,
  responderRatchet,
  STATUS_RATCHET_LIMITS,
  type MessageKeyRef,
  type RatchetLimits,
  type StoredMessageKey
} from './ratchet'
import { compressPublicKey, decompressPublicKey, isValidPublicKey, publicKeyOf, secureRandom, type RandomBytes } from '../primitives/secp256k1'
import { recordSharedSecret, sharedSecretAgreement } from './shared-secret'
import { performActiveX3dh, x3dhResponderSecret } from './x3dh'

/*
 * status-go's encryption.Protocol for Hush (spec §4): prekey bundles, X3DH, the Double Ratchet, the
 * no-bundle DH fallback, installations and negotiated shared secrets, over R's pure functions.
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

export interface SharedSecretEvent {
  /** "0x04…" hex of the peer's identity key. */
  peer: string
  secret: Uint8Array
  /** Every active installation of the peer has sent us a decryptable message: use the negotiated topic. */
  negotiatedReady: boolean
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

/** Installation ids in status-go are UUIDs; anything far longer is refused rather than stored. */
const MAX_INSTALLATION_ID_LENGTH = 128
/** A bundle lists one identity's devices; more than this is not a real bundle. */
const MAX_BUNDLE_INSTALLATIONS = 16

interface PendingKey {
  ref: StoredMessageKey
  /** A later op re-put this key, so its tombstone must outlive this run. */
  reput: boolean
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
  /** Per session: keys of messages handed out and not yet confirmed. */
  private readonly pending = new Map<string, Map<string, PendingKey>>()
  /** Per session: tombstones nothing can resurrect any more, deleted with the session's next write. */
  private readonly expiredTombstones = new Map<string, MessageKeyRef[]>()
  private readonly announcedReady = new Map<string, boolean>()
  private rotation: Promise<void> | null = null

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
  }

  /** Loads the state, tidies what a crash left behind and makes our first (or a due) signed prekey. */
  async init(): Promise<void> {
    if (this.state) return
    const { state, cleanup } = await loadProtocolState(this.store)
    if (cleanup.length > 0) await this.store.batch(cleanup)
    this.state = state
    await this.rotatePreKeyIfDue()
    for (const peer of Object.keys(state.secrets)) this.announceSecret(peer, true)
  }

  /** Our current bundle, freshly signed: for the contact-code topic and for every outgoing message. */
  ownBundle(): Bundle {
    const state = this.ready()
    this.startRotationIfDue()
    return bundleForSending(this.activePreKey(state).container, this.identity.privateKey, this.now(), pairedSignedPreKeys(state.installations, this.identity.publicKey))
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
    const state = this.ready()
    return Object.keys(state.secrets).map((peer) => this.secretEvent(peer))
  }

  /** Runs the 24 h prekey refresh now if it is due; ownBundle and encrypt also start it on their own. */
  rotatePreKeyIfDue(): Promise<void> {
    this.rotation ??= this.rotate().finally(() => {
      this.rotation = null
    })
    return this.rotation
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
        const before = this.sendingSession(state, peer, installation)
        const session = before ?? this.initiateSession(theirKey, peer, installation)
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
      sharedSecret: sharedSecretAgreement(state.secrets, this.identity.privateKey, theirKey, installationIds)
    }
  }

  async decrypt(sender: Uint8Array, protocolMessage: Uint8Array): Promise<DecryptOutcome> {
    const state = this.ready()
    const theirKey = peerKey(sender)
    const peer = identityKeyHex(theirKey)
    const message = decodeMessage(protocolMessage)
    if (message.installationId.length > MAX_INSTALLATION_ID_LENGTH) {
      throw new CryptoError('CIPHERTEXT_MALFORMED', 'sender installation id is too long')
    }
    for (const bundle of message.bundles) checkBundle(bundle)
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
      const result = this.decryptRatchet(state, theirKey, peer, message.installationId, entry)
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

    if (peer !== this.myHex) writes.push(...this.recordSecret(state, theirKey, peer, message))
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
    checkBundle(bundle)
    if (!equalBytes(compressPublicKey(bundle.identity), compressPublicKey(theirKey))) {
      throw new CryptoError('BUNDLE_IDENTITY_MISMATCH', 'advertised bundle belongs to another identity than its sender')
    }
    return this.applyBundle(bundle)
  }

  private ready(): ProtocolState {
    if (!this.state) throw new Error('SessionManager.init() must complete first')
    return this.state
  }

  private activePreKey(state: ProtocolState): { version: number; container: BundleContainer } {
    let best: { version: number; container: BundleContainer } | undefined
    for (const [version, container] of state.preKeys) {
      if (!best || version > best.version) best = { version, container }
    }
    if (!best) throw new Error('no signed prekey: init() did not complete')
    return best
  }

  private startRotationIfDue(): void {
    const state = this.ready()
    if (this.rotation || !needsNewSignedPreKey(this.activePreKey(state).container, this.now())) return
    // A failed rotation is retried by the next call; until then the current prekey stays valid.
    this.rotatePreKeyIfDue().catch(() => {})
  }

  private async rotate(): Promise<void> {
    const state = this.ready()
    const current = state.preKeys.size > 0 ? this.activePreKey(state) : undefined
    if (current && !needsNewSignedPreKey(current.container, this.now())) return
    const version = (current?.version ?? 0) + 1
    const container = createBundleContainer(this.identity.privateKey, this.installationId, this.now(), this.random, version - 1)
    // Written before use: a prekey we advertise must survive a crash, or X3DH messages built on it are lost.
    await this.store.batch([preKeyWrite(version, container)], { sync: true })
    state.preKeys.set(version, container)
  }

  private protocolMessage(direct: Record<string, DirectMessageProtocol>): Uint8Array {
    return toBinary(
      ProtocolMessageSchema,
      create(ProtocolMessageSchema, { installationId: this.installationId, bundles: [this.ownBundle()], directMessage: direct })
    )
  }

  /**
   * The session to send on, as status-go picks it: one whose prekey is still current (their newest for a
   * session we opened, our newest for one they opened); among several, one the peer has answered in,
   * then the lowest bundle id, so two devices that opened sessions at once settle on the same one.
   */
  private sendingSession(state: ProtocolState, peer: string, installation: Installation): Session | undefined {
    const ourPreKey = this.activePreKey(state).container.bundle?.signedPreKeys[this.installationId]?.signedPreKey
    let best: Session | undefined
    for (const session of state.sessions.values()) {
      if (session.peer !== peer || session.installationId !== installation.id) continue
      const current = session.role === 'initiator' ? installation.signedPreKey : ourPreKey
      if (!current || !equalBytes(session.bundleId, current)) continue
      if (!best || compareSessions(session, best) < 0) best = session
    }
    return best
  }

  private initiateSession(theirKey: Uint8Array, peer: string, installation: Installation): Session {
    const x3dh = performActiveX3dh(this.identity.privateKey, theirKey, installation.signedPreKey, this.random)
    return {
      sid: this.ids.session(peer, x3dh.signedPreKeyId, installation.id),
      peer,
      installationId: installation.id,
      bundleId: x3dh.signedPreKeyId,
      role: 'initiator',
      pendingX3dh: x3dh.ephemeralPublicKey,
      theirX3dh: null,
      createdMs: this.now(),
      version: 0,
      ratchet: initiatorRatchet(x3dh.sharedKey, installation.signedPreKey, this.random)
    }
  }

  private decryptRatchet(
    state: ProtocolState,
    theirKey: Uint8Array,
    peer: string,
    installationId: string,
    entry: DirectMessageProtocol
  ): { payload: Uint8Array; writes: StoreOp[]; confirm: () => void } {
    const dr = entry.DRHeader!
    if (dr.id.length !== 33) throw new CryptoError('CIPHERTEXT_MALFORMED', 'ratchet header bundle id must be a 33-byte key')
    const sid = this.ids.session(peer, dr.id, installationId)
    const before = state.sessions.get(sid)
    const header = { dh: dr.key, n: dr.n, pn: dr.pn }
    const options = { random: this.random, limits: this.limits }
    let session = before ?? this.respondToX3dh(state, theirKey, peer, installationId, entry)
    let result: ReturnType<typeof ratchetDecrypt>
    try {
      result = ratchetDecrypt(session.ratchet, header, entry.payload, options)
    } catch (error) {
      const x3dh = entry.X3DHHeader
      const reopened = before?.role === 'responder' && x3dh && !(before.theirX3dh && equalBytes(before.theirX3dh, x3dh.key))
      if (!reopened) throw error
      // The peer opened this session again on the same prekey with a new ephemeral key (it lost its
      // state): if that X3DH yields a working session, it replaces ours.
      const fresh = { ...this.respondToX3dh(state, theirKey, peer, installationId, entry), version: before.version }
      try {
        result = ratchetDecrypt(fresh.ratchet, header, entry.payload, options)
      } catch {
        throw error
      }
      session = fresh
    }
    // The peer answered in this session, so it has it: stop re-sending the X3DH header.
    const after: Session = { ...session, ratchet: result.state, pendingX3dh: null, version: session.version + 1 }
    const writes = this.commitSession(before, after, result.messageKey)
    return { payload: result.plaintext, writes, confirm: () => this.confirm(sid, result.messageKey) }
  }

  /** A first message in a session the peer opened: X3DH as the responder, on the prekey it names. */
  private respondToX3dh(state: ProtocolState, theirKey: Uint8Array, peer: string, installationId: string, entry: DirectMessageProtocol): Session {
    const x3dh = entry.X3DHHeader
    const bundleId = entry.DRHeader!.id
    if (!x3dh) throw new CryptoError('INVALID_KEY', 'no ratchet session for this sender, installation and bundle id')
    if (!equalBytes(x3dh.id, bundleId)) throw new CryptoError('CIPHERTEXT_MALFORMED', 'X3DH and ratchet headers name different bundles')
    let preKey: Uint8Array | undefined
    for (const container of state.preKeys.values()) {
      const spk = container.bundle?.signedPreKeys[this.installationId]?.signedPreKey
      if (spk && equalBytes(spk, bundleId)) preKey = container.privateSignedPreKey
    }
    if (!preKey) throw new CryptoError('INVALID_KEY', 'X3DH message was built on a signed prekey this installation does not have')
    const sharedKey = x3dhResponderSecret({
      myIdentityKey: this.identity.privateKey,
      mySignedPreKey: preKey,
      theirIdentityKey: theirKey,
      theirEphemeralKey: x3dh.key
    })
    return {
      sid: this.ids.session(peer, bundleId, installationId),
      peer,
      installationId,
      bundleId,
      role: 'responder',
      pendingX3dh: null,
      theirX3dh: x3dh.key,
      createdMs: this.now(),
      version: 0,
      ratchet: responderRatchet(sharedKey, preKey)
    }
  }

  /** Moves the cache to `after` and returns the ops that persist the step. */
  private commitSession(before: Session | undefined, after: Session, consumed?: StoredMessageKey | MessageKeyRef): StoreOp[] {
    const state = this.ready()
    const pending = this.pending.get(after.sid) ?? new Map<string, PendingKey>()
    const consumedId = consumed ? messageKeyId(consumed) : undefined
    const unconfirmed: StoredMessageKey[] = []
    for (const [id, entry] of pending) {
      if (id === consumedId) continue
      entry.reput = true
      unconfirmed.push(entry.ref)
    }
    const writes = sessionWrites(this.ids, {
      before,
      after,
      consumed,
      unconfirmed,
      expiredTombstones: this.expiredTombstones.get(after.sid) ?? []
    })
    this.expiredTombstones.delete(after.sid)
    if (consumed && consumedId) {
      const stored = after.ratchet.messageKeys.find((k) => messageKeyId(k) === consumedId)
      if (stored) pending.set(consumedId, { ref: stored, reput: pending.get(consumedId)?.reput ?? false })
      this.pending.set(after.sid, pending)
    }
    state.sessions.set(after.sid, after)
    return writes
  }

  private confirm(sid: string, ref: MessageKeyRef): void {
    const state = this.ready()
    const id = messageKeyId(ref)
    const pending = this.pending.get(sid)
    const entry = pending?.get(id)
    if (!pending || !entry) return
    pending.delete(id)
    const session = state.sessions.get(sid)
    if (session) state.sessions.set(sid, { ...session, ratchet: confirmMessageKey(session.ratchet, ref) })
    if (!entry.reput) {
      const expired = this.expiredTombstones.get(sid) ?? []
      expired.push(ref)
      this.expiredTombstones.set(sid, expired)
    }
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
    if (state.secrets[identity] && activeIds(book, identityKey) !== activeBefore) this.announceSecret(identity, false)
    return [installationsWrite(this.ids, identity, next)]
  }

  private recordSecret(state: ProtocolState, theirKey: Uint8Array, peer: string, message: ProtocolMessage): StoreOp[] {
    const { book } = recordSharedSecret(state.secrets, {
      myIdentityKey: this.identity.privateKey,
      theirIdentityKey: theirKey,
      senderInstallationId: message.installationId,
      bundles: message.bundles
    })
    if (book === state.secrets) return []
    state.secrets = book
    const entry = book[peer]!
    this.announceSecret(peer, true)
    return [secretWrite(this.ids, peer, entry.secret, entry.installations)]
  }

  private secretEvent(peer: string): SharedSecretEvent {
    const state = this.ready()
    const theirKey = decompressPublicKey(hexToBytes(peer))
    const targets = activeInstallations(state.installations, theirKey).map((i) => i.id)
    const { secret, agreed } = sharedSecretAgreement(state.secrets, this.identity.privateKey, theirKey, targets)
    return { peer: eventPeer(peer), secret, negotiatedReady: agreed }
  }

  /** Emits when a secret is new (`force`) or its readiness changed since last told. */
  private announceSecret(peer: string, force: boolean): void {
    const event = this.secretEvent(peer)
    if (!force && this.announcedReady.get(peer) === event.negotiatedReady) return
    this.announcedReady.set(peer, event.negotiatedReady)
    this.emit('sharedSecret', event)
  }
}

/** The installations a message to `identity` would address, as a comparable string. */
function activeIds(book: InstallationBook, identity: Uint8Array): string {
  return activeInstallations(book, identity)
    .map((i) => i.id)
    .sort()
    .join('\u0000')
}

function compareSessions(a: Session, b: Session): number {
  const answered = Number(a.pendingX3dh !== null) - Number(b.pendingX3dh !== null)
  if (answered !== 0) return answered
  const ah = bytesToHex(a.bundleId)
  const bh = bytesToHex(b.bundleId)
  return ah < bh ? -1 : ah > bh ? 1 : 0
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

function assertInstallationId(id: string): void {
  if (id.length === 0 || id.length > MAX_INSTALLATION_ID_LENGTH || id === NO_INSTALLATION_ID) {
    throw new CryptoError('BUNDLE_MALFORMED', `installation id must be 1–${MAX_INSTALLATION_ID_LENGTH} characters and not "${NO_INSTALLATION_ID}"`)
  }
}

/** Signature plus the shape checks that keep a signed but unusable bundle out of the state. */
function checkBundle(bundle: Bundle): void {
  verifyBundle(bundle)
  const entries = Object.entries(bundle.signedPreKeys)
  if (entries.length > MAX_BUNDLE_INSTALLATIONS) {
    throw new CryptoError('BUNDLE_MALFORMED', `bundle lists ${entries.length} installations (at most ${MAX_BUNDLE_INSTALLATIONS})`)
  }
  for (const [id, spk] of entries) {
    assertInstallationId(id)
    if (spk.signedPreKey.length !== 33 || !isValidPublicKey(spk.signedPreKey)) {
      throw new CryptoError('BUNDLE_MALFORMED', `bundle signed prekey of installation ${id} is not a compressed secp256k1 key`)
    }
  }
}
