import { fromBinary, toBinary } from '@bufbuild/protobuf'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { BundleContainerSchema, type BundleContainer } from './gen/encryption/protocol_message_pb'
import { delOp, putJson, putOp, type EncryptedStore, type StoreOp } from '../storage/encrypted-store'
import { CryptoError } from '../primitives/crypto-error'
import type { Installation, InstallationBook } from './installations'
import type { MessageKeyRef, RatchetState, StoredMessageKey } from './ratchet'
import { encodeMessageKey, isLegacyJson, legacyCount, legacyHex, legacyParse, parseLegacyJson } from './ratchet-codec'
import { decodeMessageKeyRecord, decodeSessionRecord, encodeSessionRecord } from './session-record'
import type { SharedSecretBook } from './shared-secret'

/*
 * The secure-transport state as it lives in the EncryptedStore, and the store ops that move it forward.
 *
 * Record keys are in clear, so everything naming a peer, a prekey or a ratchet key is an opaque id: a hash
 * salted with a key derived from our identity. Layout:
 *   bundle/own/<version>            our BundleContainer (every prekey is kept: late X3DH messages need it)
 *   bundle/peer/<id>                the installations of one identity (learned from bundles)
 *   session/secret/<id>             negotiated shared secret of one identity and who has replied
 *   session/state/<sid>/<version>   one ratchet session, without its message keys
 *   session/key/<sid>/<kid>         one stored receive-message key
 *   session/consumed/<sid>/<kid>    tombstone: the key's message was committed, the key must not come back
 *
 * Why versions and tombstones: the caller commits our ops in its own batches, maybe combined, maybe out of
 * order. A session record is never overwritten in place, so a late commit of an older version cannot roll
 * a sending chain back (message-key reuse); loading takes the highest version. A message key handed out
 * for a message not yet confirmed is re-put by later ops (so losing that message's batch loses nothing),
 * and the tombstone written with the message makes loading drop such a resurrected key (so a committed
 * message never decrypts twice).
 */

export const OWN_BUNDLE_PREFIX = 'bundle/own/'
export const PEER_BUNDLE_PREFIX = 'bundle/peer/'
export const SECRET_PREFIX = 'session/secret/'
export const SESSION_STATE_PREFIX = 'session/state/'
export const MESSAGE_KEY_PREFIX = 'session/key/'
export const CONSUMED_PREFIX = 'session/consumed/'

/**
 * Records whose last write must survive a power failure: a ratchet state that rolled back after its
 * message left would reuse a message key and desynchronise the session; a lost prekey or shared secret
 * strands what peers already built on it.
 */
const DURABLE_PREFIXES = [SESSION_STATE_PREFIX, MESSAGE_KEY_PREFIX, CONSUMED_PREFIX, SECRET_PREFIX, OWN_BUNDLE_PREFIX]

/** Whether a batch holding `ops` must be synced to disk before anything that depends on it happens. */
export function needsDurableWrite(ops: readonly StoreOp[]): boolean {
  return ops.some((op) => DURABLE_PREFIXES.some((prefix) => op.key.startsWith(prefix)))
}

const RECORD_ID_INFO = utf8ToBytes('hush/protocol-state/record-ids/v1')
const VERSION_DIGITS = 12

export type SessionRole = 'initiator' | 'responder'

export interface Session {
  /** Opaque record id of this session. */
  sid: string
  /** Compressed identity key of the peer, lowercase hex. */
  peer: string
  installationId: string
  /** Compressed signed prekey the session was built on: theirs when we initiated, ours when they did. */
  bundleId: Uint8Array
  role: SessionRole
  /** Our X3DH ephemeral key (compressed), re-sent in every message until the peer answers in this session. */
  pendingX3dh: Uint8Array | null
  /** Their X3DH ephemeral key for a session they opened: a repeated header for it is not a new session. */
  theirX3dh: Uint8Array | null
  createdMs: number
  /** Version of the last record handed out for this session. */
  version: number
  ratchet: RatchetState
}

export interface ProtocolState {
  /** Our prekeys by version; the highest one is advertised. */
  preKeys: Map<number, BundleContainer>
  installations: InstallationBook
  secrets: SharedSecretBook
  sessions: Map<string, Session>
}

export interface LoadedState {
  state: ProtocolState
  /** Stale versions, tombstones and orphans found while loading, to delete in one batch. */
  cleanup: StoreOp[]
}

/** Opaque, account-specific ids for record keys, so the clear-text keys say nothing about contacts. */
export class RecordIds {
  private readonly salt: Uint8Array

  constructor(identityPrivateKey: Uint8Array) {
    this.salt = hkdf(sha256, identityPrivateKey, undefined, RECORD_ID_INFO, 32)
  }

  of(...parts: string[]): string {
    return bytesToHex(sha256(concatBytes(this.salt, utf8ToBytes(parts.join('\u0000'))))).slice(0, 32)
  }

  session(peer: string, bundleId: Uint8Array, installationId: string): string {
    return this.of('session', peer, bytesToHex(bundleId), installationId)
  }

  messageKey(ref: MessageKeyRef): string {
    return this.of('message-key', bytesToHex(ref.dh), String(ref.n))
  }
}

export function messageKeyId(ref: MessageKeyRef): string {
  return `${bytesToHex(ref.dh)}:${ref.n}`
}

const installationsSchema = z.object({
  identity: legacyHex(33),
  installations: z.array(
    z.object({
      id: z.string(),
      protocolVersion: legacyCount,
      enabled: z.boolean(),
      firstSeenMs: legacyCount,
      lastSeenMs: legacyCount,
      signedPreKey: legacyHex(33),
      signedPreKeyVersion: legacyCount
    })
  )
})

const secretSchema = z.object({ identity: legacyHex(33), secret: legacyHex(32), installations: z.array(z.string()) })

function parseRecord<S extends z.ZodType>(schema: S, key: string, value: Uint8Array): z.infer<S> {
  const what = `stored record "${key}"`
  return legacyParse(schema, parseLegacyJson(value, what), what)
}

function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1)
}

function versionKey(prefix: string, version: number): string {
  return prefix + String(version).padStart(VERSION_DIGITS, '0')
}

/** Reads every secure-transport record; the caller commits `cleanup` before using the state. */
export async function loadProtocolState(store: EncryptedStore): Promise<LoadedState> {
  const cleanup: StoreOp[] = []

  const preKeys = new Map<number, BundleContainer>()
  for await (const [key, value] of store.iterate(OWN_BUNDLE_PREFIX)) {
    try {
      preKeys.set(Number(lastSegment(key)), fromBinary(BundleContainerSchema, value))
    } catch {
      throw new CryptoError('STATE_MALFORMED', `stored record "${key}" is not a bundle container`)
    }
  }

  const installations: Record<string, Installation[]> = {}
  for await (const [key, value] of store.iterate(PEER_BUNDLE_PREFIX)) {
    const record = parseRecord(installationsSchema, key, value)
    installations[record.identity] = record.installations.map((i) => ({ ...i, signedPreKey: hexToBytes(i.signedPreKey) }))
  }

  const secrets: Record<string, { secret: Uint8Array; installations: string[] }> = {}
  for await (const [key, value] of store.iterate(SECRET_PREFIX)) {
    const record = parseRecord(secretSchema, key, value)
    secrets[record.identity] = { secret: hexToBytes(record.secret), installations: record.installations }
  }

  const consumed = new Set<string>()
  for await (const [key] of store.iterate(CONSUMED_PREFIX)) {
    const suffix = key.slice(CONSUMED_PREFIX.length)
    consumed.add(suffix)
    cleanup.push(delOp(key), delOp(MESSAGE_KEY_PREFIX + suffix))
  }

  const keysBySession = new Map<string, StoredMessageKey[]>()
  for await (const [key, value] of store.iterate(MESSAGE_KEY_PREFIX)) {
    const suffix = key.slice(MESSAGE_KEY_PREFIX.length)
    if (consumed.has(suffix)) continue
    const record = decodeMessageKeyRecord(key, value)
    if (isLegacyJson(value)) cleanup.push(putOp(key, encodeMessageKey(record)))
    const sid = suffix.slice(0, suffix.indexOf('/'))
    const list = keysBySession.get(sid) ?? []
    list.push(record)
    keysBySession.set(sid, list)
  }

  // Iteration is in key order and versions are zero-padded, so the last record of a session is its newest.
  const newest = new Map<string, { key: string; value: Uint8Array }>()
  for await (const [key, value] of store.iterate(SESSION_STATE_PREFIX)) {
    const sid = key.slice(SESSION_STATE_PREFIX.length, key.lastIndexOf('/'))
    const previous = newest.get(sid)
    if (previous) cleanup.push(delOp(previous.key))
    newest.set(sid, { key, value })
  }

  const sessions = new Map<string, Session>()
  for (const [sid, { key, value }] of newest) {
    const record = decodeSessionRecord(key, value)
    // Format-1 (JSON) records are rewritten in place: same key, same version, the current format.
    if (isLegacyJson(value)) cleanup.push(putOp(key, encodeSessionRecord(record)))
    const keys = (keysBySession.get(sid) ?? []).sort((a, b) => a.seq - b.seq)
    keysBySession.delete(sid)
    sessions.set(sid, { ...record, sid, version: Number(lastSegment(key)), ratchet: { ...record.ratchet, messageKeys: keys } })
  }
  for (const [sid] of keysBySession) {
    for await (const [key] of store.iterate(`${MESSAGE_KEY_PREFIX}${sid}/`)) cleanup.push(delOp(key))
  }

  return { state: { preKeys, installations, secrets, sessions }, cleanup }
}

export function preKeyWrite(version: number, container: BundleContainer): StoreOp {
  return putOp(versionKey(OWN_BUNDLE_PREFIX, version), toBinary(BundleContainerSchema, container))
}

export function installationsWrite(ids: RecordIds, identity: string, installations: readonly Installation[]): StoreOp {
  return putJson(PEER_BUNDLE_PREFIX + ids.of('installations', identity), {
    identity,
    installations: installations.map((i) => ({ ...i, signedPreKey: bytesToHex(i.signedPreKey) }))
  })
}

export function secretWrite(ids: RecordIds, identity: string, secret: Uint8Array, installations: readonly string[]): StoreOp {
  return putJson(SECRET_PREFIX + ids.of('secret', identity), { identity, secret: bytesToHex(secret), installations })
}

function messageKeyRecord(ids: RecordIds, sid: string, ref: MessageKeyRef): string {
  return `${MESSAGE_KEY_PREFIX}${sid}/${ids.messageKey(ref)}`
}

function consumedRecord(ids: RecordIds, sid: string, ref: MessageKeyRef): string {
  return `${CONSUMED_PREFIX}${sid}/${ids.messageKey(ref)}`
}

export interface SessionChange {
  /** The session as cached before this step (undefined for a new session). */
  before: Session | undefined
  /** The session after this step; its version must be one above `before`'s. */
  after: Session
  /** Key of the message this step decrypted: deleted and tombstoned in the same batch as the message. */
  consumed?: MessageKeyRef
  /** Keys of messages handed out but not yet confirmed: kept on disk until their own batch is confirmed. */
  unconfirmed: readonly StoredMessageKey[]
  /** Tombstones no longer needed, deleted along with this step. */
  expiredTombstones: readonly MessageKeyRef[]
}

/** Store ops that take a session from `before` to `after` (see the file comment for the rules). */
export function sessionWrites(ids: RecordIds, change: SessionChange): StoreOp[] {
  const { before, after, consumed } = change
  const sid = after.sid
  const ops: StoreOp[] = []
  ops.push(putOp(versionKey(`${SESSION_STATE_PREFIX}${sid}/`, after.version), encodeSessionRecord(after)))
  if (before) ops.push(delOp(versionKey(`${SESSION_STATE_PREFIX}${sid}/`, before.version)))

  const consumedId = consumed ? messageKeyId(consumed) : undefined
  const beforeKeys = new Set((before?.ratchet.messageKeys ?? []).map(messageKeyId))
  const afterKeys = new Set(after.ratchet.messageKeys.map(messageKeyId))
  const reput = new Set(change.unconfirmed.map(messageKeyId))
  for (const key of after.ratchet.messageKeys) {
    const id = messageKeyId(key)
    if (id === consumedId || (beforeKeys.has(id) && !reput.has(id))) continue
    ops.push(putOp(messageKeyRecord(ids, sid, key), encodeMessageKey(key)))
  }
  for (const key of before?.ratchet.messageKeys ?? []) {
    if (!afterKeys.has(messageKeyId(key))) ops.push(delOp(messageKeyRecord(ids, sid, key)))
  }
  if (consumed) {
    ops.push(delOp(messageKeyRecord(ids, sid, consumed)), putJson(consumedRecord(ids, sid, consumed), {}))
  }
  for (const ref of change.expiredTombstones) ops.push(delOp(consumedRecord(ids, sid, ref)))
  return ops
}
