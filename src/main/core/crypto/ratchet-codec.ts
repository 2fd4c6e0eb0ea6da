import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { equalBytes } from '@noble/ciphers/utils.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { StoredMessageKeySchema, StoredRatchetSchema, type StoredMessageKey as StoredKeyRecord } from './gen/encryption/stored_state_pb'
import { CryptoError } from '../primitives/crypto-error'
import { publicKeyOf } from '../primitives/secp256k1'
import type { RatchetChain, RatchetState, StoredMessageKey } from './ratchet'

/*
 * Stored form of the Double Ratchet state. Format 2 (current): one format byte, then a StoredRatchet
 * protobuf with the bytes as bytes. Format 1 (Hush before December 2026): UTF-8 JSON with hex strings,
 * still read so that sessions stored by older versions carry on.
 */

export const STATE_FORMAT = 2
/** A format-1 record is a JSON object, so its first byte is "{". */
const LEGACY_JSON_FIRST_BYTE = 0x7b

export function isLegacyJson(bytes: Uint8Array): boolean {
  return bytes[0] === LEGACY_JSON_FIRST_BYTE
}

/** Format byte, then the protobuf body. */
export function withFormat(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1)
  out[0] = STATE_FORMAT
  out.set(body, 1)
  return out
}

/** The protobuf body of a format-2 record; throws for any other format. */
export function formatBody(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes[0] !== STATE_FORMAT) throw new CryptoError('STATE_MALFORMED', `${what} has unknown format ${bytes[0] ?? '(empty)'}`)
  return bytes.subarray(1)
}

export function encodeMessageKey(key: StoredMessageKey): Uint8Array {
  return withFormat(toBinary(StoredMessageKeySchema, create(StoredMessageKeySchema, key)))
}

export function decodeMessageKey(bytes: Uint8Array, what = 'stored message key'): StoredMessageKey {
  return messageKeyOf(parse(() => fromBinary(StoredMessageKeySchema, formatBody(bytes, what)), what), what)
}

export function ratchetMessage(state: RatchetState) {
  return create(StoredRatchetSchema, {
    rootKey: state.rootKey,
    selfPrivateKey: state.self.privateKey,
    selfPublicKey: state.self.publicKey,
    remote: state.remote,
    send: state.send,
    receive: state.receive,
    previousSendCount: state.previousSendCount,
    keysCount: state.keysCount,
    messageKeys: state.messageKeys.map((k) => create(StoredMessageKeySchema, k))
  })
}

/** Checks every field of a decoded StoredRatchet, the key pair included (a swapped key would desynchronise the session). */
export function ratchetOf(stored: ReturnType<typeof ratchetMessage>, what: string): RatchetState {
  const chain = (c: { key: Uint8Array; n: number } | undefined, name: string): RatchetChain => {
    if (!c) throw new CryptoError('STATE_MALFORMED', `${what}: ${name} chain is missing`)
    return { key: sized(c.key, 32, `${name} chain key`, what), n: counter(c.n, `${name} chain n`, what) }
  }
  const self = { privateKey: sized(stored.selfPrivateKey, 32, 'private key', what), publicKey: sized(stored.selfPublicKey, 33, 'public key', what) }
  let derived: Uint8Array
  try {
    derived = publicKeyOf(self.privateKey, true)
  } catch {
    throw new CryptoError('STATE_MALFORMED', `${what} holds an invalid private key`)
  }
  if (!equalBytes(derived, self.publicKey)) throw new CryptoError('STATE_MALFORMED', `${what}: key pair does not match`)
  return {
    rootKey: sized(stored.rootKey, 32, 'root key', what),
    self,
    remote: stored.remote,
    send: chain(stored.send, 'send'),
    receive: chain(stored.receive, 'receive'),
    previousSendCount: counter(stored.previousSendCount, 'previous send count', what),
    keysCount: counter(stored.keysCount, 'keys count', what),
    messageKeys: stored.messageKeys.map((k) => messageKeyOf(k, what))
  }
}

/** Exact, versioned binary encoding of a ratchet state, for encrypted persistence. */
export function encodeRatchetState(state: RatchetState): Uint8Array {
  return withFormat(toBinary(StoredRatchetSchema, ratchetMessage(state)))
}

export function decodeRatchetState(bytes: Uint8Array): RatchetState {
  const what = 'ratchet state'
  if (isLegacyJson(bytes)) return decodeLegacyRatchet(parseLegacyJson(bytes, what), what)
  return ratchetOf(
    parse(() => fromBinary(StoredRatchetSchema, formatBody(bytes, what)), what),
    what
  )
}

/** UTF-8 JSON of a format-1 record, or a typed error. */
export function parseLegacyJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new CryptoError('STATE_MALFORMED', `${what} is not UTF-8 JSON`)
  }
}

export const legacyHex = (length?: number) =>
  z
    .string()
    .regex(/^([0-9a-f]{2})*$/)
    .refine((h) => length === undefined || h.length === length * 2, `expected ${length} bytes`)
export const legacyCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const legacyChain = z.object({ key: legacyHex(32), n: legacyCount })
export const legacyMessageKeySchema = z.object({ dh: legacyHex(), n: legacyCount, key: legacyHex(32), seq: legacyCount })
const legacyRatchetSchema = z.object({
  version: z.literal(1),
  rootKey: legacyHex(32),
  self: z.object({ privateKey: legacyHex(32), publicKey: legacyHex(33) }),
  remote: legacyHex(),
  send: legacyChain,
  receive: legacyChain,
  previousSendCount: legacyCount,
  keysCount: legacyCount,
  messageKeys: z.array(legacyMessageKeySchema)
})

/** Validates a value against a format-1 schema with the error naming the record. */
export function legacyParse<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CryptoError('STATE_MALFORMED', `${what} is invalid: ${issue?.path.join('.')} ${issue?.message}`)
  }
  return parsed.data
}

/** A format-1 ratchet state (the JSON object, already parsed). */
export function decodeLegacyRatchet(raw: unknown, what: string): RatchetState {
  const s = legacyParse(legacyRatchetSchema, raw, what)
  const chain = (c: z.infer<typeof legacyChain>) => ({ key: hexToBytes(c.key), n: c.n })
  return ratchetOf(
    create(StoredRatchetSchema, {
      rootKey: hexToBytes(s.rootKey),
      selfPrivateKey: hexToBytes(s.self.privateKey),
      selfPublicKey: hexToBytes(s.self.publicKey),
      remote: hexToBytes(s.remote),
      send: chain(s.send),
      receive: chain(s.receive),
      previousSendCount: s.previousSendCount,
      keysCount: s.keysCount,
      messageKeys: s.messageKeys.map((k) => create(StoredMessageKeySchema, legacyMessageKey(k)))
    }),
    what
  )
}

export function legacyMessageKey(k: z.infer<typeof legacyMessageKeySchema>): StoredMessageKey {
  return { dh: hexToBytes(k.dh), n: k.n, key: hexToBytes(k.key), seq: k.seq }
}

function messageKeyOf(k: StoredKeyRecord, what: string): StoredMessageKey {
  return { dh: k.dh, n: counter(k.n, 'message key n', what), key: sized(k.key, 32, 'message key', what), seq: counter(k.seq, 'message key seq', what) }
}

function parse<T>(decode: () => T, what: string): T {
  try {
    return decode()
  } catch (cause) {
    throw new CryptoError('STATE_MALFORMED', `${what} does not decode: ${(cause as Error).message}`)
  }
}

function sized(value: Uint8Array, length: number, name: string, what: string): Uint8Array {
  if (value.length !== length) throw new CryptoError('STATE_MALFORMED', `${what}: ${name} must be ${length} bytes, got ${value.length}`)
  return value
}

function counter(value: number, name: string, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new CryptoError('STATE_MALFORMED', `${what}: ${name} must be a non-negative integer, got ${value}`)
  return value
}
