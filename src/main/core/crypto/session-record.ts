import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { StoredSessionSchema } from './gen/encryption/stored_state_pb'
import { CryptoError } from '../primitives/crypto-error'
import type { StoredMessageKey } from './ratchet'
import {
  decodeLegacyRatchet,
  decodeMessageKey,
  formatBody,
  isLegacyJson,
  legacyCount,
  legacyHex,
  legacyMessageKey,
  legacyMessageKeySchema,
  legacyParse,
  parseLegacyJson,
  ratchetMessage,
  ratchetOf,
  withFormat
} from './ratchet-codec'
import type { Session } from './protocol-state'

/*
 * The two per-message records of a ratchet session, `session/state/…` and `session/key/…`, in the stored
 * format of ratchet-codec.ts (format 2: binary; format 1: JSON, read for migration only).
 */

/** A session as its record holds it: everything but the record id, the version (both in the key) and the message keys. */
export type SessionRecord = Omit<Session, 'sid' | 'version'>

export function encodeSessionRecord(session: SessionRecord): Uint8Array {
  return withFormat(
    toBinary(
      StoredSessionSchema,
      create(StoredSessionSchema, {
        peer: hexToBytes(session.peer),
        installationId: session.installationId,
        bundleId: session.bundleId,
        responder: session.role === 'responder',
        pendingX3dh: session.pendingX3dh ?? EMPTY,
        theirX3dh: session.theirX3dh ?? EMPTY,
        createdMs: session.createdMs,
        ratchet: ratchetMessage({ ...session.ratchet, messageKeys: [] })
      })
    )
  )
}

/** Decodes either format; `key` names the record in errors. The ratchet comes back without message keys. */
export function decodeSessionRecord(key: string, value: Uint8Array): SessionRecord {
  const what = `stored record "${key}"`
  if (isLegacyJson(value)) return decodeLegacySession(parseLegacyJson(value, what), what)
  let stored
  try {
    stored = fromBinary(StoredSessionSchema, formatBody(value, what))
  } catch (cause) {
    if (cause instanceof CryptoError) throw cause
    throw new CryptoError('STATE_MALFORMED', `${what} does not decode: ${(cause as Error).message}`)
  }
  if (!stored.ratchet) throw new CryptoError('STATE_MALFORMED', `${what}: ratchet is missing`)
  return {
    peer: bytesToHex(key33(stored.peer, 'peer', what)),
    installationId: stored.installationId,
    bundleId: key33(stored.bundleId, 'bundleId', what),
    role: stored.responder ? 'responder' : 'initiator',
    pendingX3dh: optionalKey(stored.pendingX3dh, 'pendingX3dh', what),
    theirX3dh: optionalKey(stored.theirX3dh, 'theirX3dh', what),
    createdMs: createdMs(stored.createdMs, what),
    ratchet: ratchetOf(stored.ratchet, what)
  }
}

export function decodeMessageKeyRecord(key: string, value: Uint8Array): StoredMessageKey {
  const what = `stored record "${key}"`
  if (isLegacyJson(value)) return legacyMessageKey(legacyParse(legacyMessageKeySchema, parseLegacyJson(value, what), what))
  return decodeMessageKey(value, what)
}

const EMPTY = new Uint8Array(0)

const legacySessionSchema = z.object({
  peer: legacyHex(33),
  installationId: z.string(),
  bundleId: legacyHex(33),
  role: z.enum(['initiator', 'responder']),
  pendingX3dh: legacyHex(33).nullable(),
  theirX3dh: legacyHex(33).nullable(),
  createdMs: legacyCount,
  ratchet: z.unknown()
})

function decodeLegacySession(raw: unknown, what: string): SessionRecord {
  const record = legacyParse(legacySessionSchema, raw, what)
  return {
    peer: record.peer,
    installationId: record.installationId,
    bundleId: hexToBytes(record.bundleId),
    role: record.role,
    pendingX3dh: record.pendingX3dh === null ? null : hexToBytes(record.pendingX3dh),
    theirX3dh: record.theirX3dh === null ? null : hexToBytes(record.theirX3dh),
    createdMs: record.createdMs,
    ratchet: decodeLegacyRatchet(record.ratchet, what)
  }
}

function createdMs(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new CryptoError('STATE_MALFORMED', `${what}: createdMs must be a non-negative integer`)
  return value
}

function key33(value: Uint8Array, name: string, what: string): Uint8Array {
  if (value.length !== 33) throw new CryptoError('STATE_MALFORMED', `${what}: ${name} must be 33 bytes, got ${value.length}`)
  return value
}

function optionalKey(value: Uint8Array, name: string, what: string): Uint8Array | null {
  return value.length === 0 ? null : key33(value, name, what)
}
