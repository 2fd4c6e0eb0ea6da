import { createCipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { equalBytes } from '@noble/ciphers/utils.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { CryptoError } from '../primitives/crypto-error'
import { compressPublicKey, ecdh, generatePrivateKey, publicKeyOf, type RandomBytes } from '../primitives/secp256k1'

/**
 * The Status Double Ratchet (status-im/doubleratchet as vendored in status-go v0.52, with
 * eth-node/crypto EthereumCrypto): secp256k1 ratchet keys in compressed form, both chains seeded with
 * SK so either side may send first, and received message keys kept until the app confirms the
 * message was processed. Every function here is pure: the input state is never modified.
 * The symmetric primitives run on node:crypto (also in Electron's main process), about five times
 * faster than the pure-JS ones for this per-message work.
 */

export interface DhKeyPair {
  privateKey: Uint8Array
  /** Compressed, 33 bytes. */
  publicKey: Uint8Array
}

export interface RatchetChain {
  key: Uint8Array
  /** Messages already derived from this chain. */
  n: number
}

/** A received-message key, kept until it is confirmed or evicted. `seq` orders keys by age. */
export interface StoredMessageKey {
  dh: Uint8Array
  n: number
  key: Uint8Array
  seq: number
}

export interface RatchetState {
  rootKey: Uint8Array
  self: DhKeyPair
  /** The peer's current ratchet key; empty until the responder has received a message. */
  remote: Uint8Array
  send: RatchetChain
  receive: RatchetChain
  /** PN: length of our previous sending chain. */
  previousSendCount: number
  /** Sequence counter for stored message keys (status-go KeysCount). */
  keysCount: number
  /** Ordered by `seq`, oldest first. */
  messageKeys: readonly StoredMessageKey[]
}

export interface RatchetHeader {
  /** Sender's ratchet public key, compressed. */
  dh: Uint8Array
  n: number
  pn: number
}

export interface RatchetLimits {
  /** Most message keys one chain may skip over in one step. */
  maxSkip: number
  /** Keys older than the last `maxKeep` derived receive keys are dropped. */
  maxKeep: number
  /** Hard cap on stored keys per session, oldest evicted first. */
  maxMessageKeysPerSession: number
}

/** status-go defaultEncryptorConfig (the library defaults are overridden). */
export const STATUS_RATCHET_LIMITS: RatchetLimits = { maxSkip: 1000, maxKeep: 3000, maxMessageKeysPerSession: 2000 }

export interface MessageKeyRef {
  dh: Uint8Array
  n: number
}

export interface EncryptResult {
  state: RatchetState
  header: RatchetHeader
  ciphertext: Uint8Array
}

export interface DecryptResult {
  plaintext: Uint8Array
  /** State to persist together with the received message; its key stays stored until confirmed. */
  state: RatchetState
  /** Pass to `confirmMessageKey` once the message has been processed. */
  messageKey: MessageKeyRef
}

export interface DecryptOptions {
  associatedData?: Uint8Array
  random: RandomBytes
  limits?: RatchetLimits
}

const ROOT_KDF_INFO = utf8ToBytes('rsZUpEuXUqqwXBvSy3EcievAh4cMj6QL')
const MESSAGE_KDF_INFO = utf8ToBytes('pcwSByyx2CRdryCffXJwy7xgVZWtW5Sh')
const CHAIN_KEY_INPUT = Uint8Array.of(0x0f)
const MESSAGE_KEY_INPUT = Uint8Array.of(0x10)
const ZERO_SALT = new Uint8Array(32)
const EMPTY = new Uint8Array(0)
const IV_LENGTH = 16
const MAC_LENGTH = 32
const UINT32_MAX = 0xffff_ffff

/** Session id used by status-go to look up a ratchet: bundle id (the SPK used) ‖ utf8(installation id). */
export function ratchetSessionId(bundleId: Uint8Array, installationId: string): Uint8Array {
  return concatBytes(bundleId, utf8ToBytes(installationId))
}

/** Alice's session after X3DH with Bob's bundle: a fresh ratchet key and one root step against SPK_B. */
export function initiatorRatchet(sharedKey: Uint8Array, theirSignedPreKey: Uint8Array, random: RandomBytes): RatchetState {
  assertSharedKey(sharedKey)
  const self = generateKeyPair(random)
  const remote = compressPublicKey(theirSignedPreKey)
  const [rootKey, sendKey] = kdfRoot(sharedKey, ecdh(self.privateKey, remote))
  return {
    rootKey,
    self,
    remote,
    send: { key: sendKey, n: 0 },
    receive: { key: sharedKey, n: 0 },
    previousSendCount: 0,
    keysCount: 0,
    messageKeys: []
  }
}

/** Bob's session on the first X3DH message: his signed prekey is the initial ratchet key. */
export function responderRatchet(sharedKey: Uint8Array, signedPreKeyPrivate: Uint8Array): RatchetState {
  assertSharedKey(sharedKey)
  return {
    rootKey: sharedKey,
    self: { privateKey: signedPreKeyPrivate, publicKey: publicKeyOf(signedPreKeyPrivate, true) },
    remote: EMPTY,
    send: { key: sharedKey, n: 0 },
    receive: { key: sharedKey, n: 0 },
    previousSendCount: 0,
    keysCount: 0,
    messageKeys: []
  }
}

export function ratchetEncrypt(state: RatchetState, plaintext: Uint8Array, associatedData: Uint8Array = EMPTY): EncryptResult {
  const header: RatchetHeader = { dh: state.self.publicKey, n: state.send.n, pn: state.previousSendCount }
  const [send, messageKey] = stepChain(state.send)
  const ciphertext = sealWithMessageKey(messageKey, plaintext, concatBytes(associatedData, encodeRatchetHeader(header)))
  return { state: { ...state, send }, header, ciphertext }
}

/**
 * Decrypts without touching `state`. On success the returned state holds this message's key until
 * `confirmMessageKey`, so a redelivery before confirmation decrypts again and one after it fails.
 */
export function ratchetDecrypt(
  state: RatchetState,
  header: RatchetHeader,
  ciphertext: Uint8Array,
  options: DecryptOptions
): DecryptResult {
  assertHeader(header)
  const limits = options.limits ?? STATUS_RATCHET_LIMITS
  const ad = concatBytes(options.associatedData ?? EMPTY, encodeRatchetHeader(header))
  const messageKey: MessageKeyRef = { dh: header.dh, n: header.n }

  const stored = findMessageKey(state.messageKeys, header.dh, header.n)
  if (stored) {
    return { plaintext: openWithMessageKey(stored.key, ciphertext, ad), state, messageKey }
  }

  let next: RatchetState = state
  const newKeys: StoredMessageKey[] = []
  if (!equalBytes(header.dh, state.remote)) {
    next = skipMessageKeys(next, header.pn, limits, newKeys, 'previous')
    next = dhRatchet(next, header.dh, options.random)
  }
  next = skipMessageKeys(next, header.n, limits, newKeys, 'current')
  const [receive, key] = stepChain(next.receive)
  const plaintext = openWithMessageKey(key, ciphertext, ad)

  // This message's own key is kept too, waiting for confirmation.
  newKeys.push({ dh: next.remote, n: header.n, key, seq: next.keysCount })
  next = { ...next, receive, keysCount: next.keysCount + 1 }
  return { plaintext, state: storeMessageKeys(next, newKeys, limits), messageKey }
}

/** Deletes a confirmed message key; confirming an unknown or already deleted key is a no-op. */
export function confirmMessageKey(state: RatchetState, ref: MessageKeyRef): RatchetState {
  const kept = state.messageKeys.filter((k) => !(k.n === ref.n && equalBytes(k.dh, ref.dh)))
  return kept.length === state.messageKeys.length ? state : { ...state, messageKeys: kept }
}

/** N (uint32 LE) ‖ PN (uint32 LE) ‖ DH: the header bytes appended to the associated data. */
export function encodeRatchetHeader(header: RatchetHeader): Uint8Array {
  const out = new Uint8Array(8 + header.dh.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, header.n, true)
  view.setUint32(4, header.pn, true)
  out.set(header.dh, 8)
  return out
}

/** KDF_RK: HKDF-SHA256(ikm = dhOut, salt = rk) → new root key, chain key (the third, header key, is unused). */
export function kdfRoot(rootKey: Uint8Array, dhOut: Uint8Array): [Uint8Array, Uint8Array] {
  const okm = new Uint8Array(hkdfSync('sha256', dhOut, rootKey, ROOT_KDF_INFO, 96))
  return [okm.slice(0, 32), okm.slice(32, 64)]
}

/** KDF_CK: next chain key = HMAC(ck, 0x0f), message key = HMAC(ck, 0x10). */
export function kdfChain(chainKey: Uint8Array): [Uint8Array, Uint8Array] {
  return [hmacSha256(chainKey, CHAIN_KEY_INPUT), hmacSha256(chainKey, MESSAGE_KEY_INPUT)]
}

/** iv ‖ AES-256-CTR(encKey, iv, plaintext) ‖ HMAC-SHA256(authKey, ad ‖ iv ‖ ct), keys and iv from HKDF(mk). */
export function sealWithMessageKey(messageKey: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const { encKey, authKey, iv } = deriveMessageKeys(messageKey)
  const body = concatBytes(iv, aes256Ctr(encKey, iv, plaintext))
  return concatBytes(body, hmacSha256(authKey, ad, body))
}

export function openWithMessageKey(messageKey: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array {
  if (sealed.length < IV_LENGTH + MAC_LENGTH) {
    throw new CryptoError('CIPHERTEXT_MALFORMED', `ratchet ciphertext too short (${sealed.length} bytes)`)
  }
  const body = sealed.subarray(0, sealed.length - MAC_LENGTH)
  const { encKey, authKey } = deriveMessageKeys(messageKey)
  if (!timingSafeEqual(hmacSha256(authKey, ad, body), sealed.subarray(sealed.length - MAC_LENGTH))) {
    throw new CryptoError('AUTHENTICATION_FAILED', 'ratchet message authentication failed')
  }
  // As in status-go, decryption trusts the IV carried in the message rather than the derived one.
  return aes256Ctr(encKey, body.subarray(0, IV_LENGTH), body.subarray(IV_LENGTH))
}

function deriveMessageKeys(messageKey: Uint8Array): { encKey: Uint8Array; authKey: Uint8Array; iv: Uint8Array } {
  const okm = new Uint8Array(hkdfSync('sha256', messageKey, ZERO_SALT, MESSAGE_KDF_INFO, 80))
  return { encKey: okm.subarray(0, 32), authKey: okm.subarray(32, 64), iv: okm.subarray(64, 80) }
}

function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const mac = createHmac('sha256', key)
  for (const part of parts) mac.update(part)
  return new Uint8Array(mac.digest())
}

function aes256Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-ctr', key, iv)
  return concatBytes(cipher.update(data), cipher.final())
}

function stepChain(chain: RatchetChain): [RatchetChain, Uint8Array] {
  const [key, messageKey] = kdfChain(chain.key)
  return [{ key, n: chain.n + 1 }, messageKey]
}

function dhRatchet(state: RatchetState, theirKey: Uint8Array, random: RandomBytes): RatchetState {
  if (theirKey.length !== 33) {
    throw new CryptoError('INVALID_KEY', `ratchet header key must be a 33-byte compressed point, got ${theirKey.length} bytes`)
  }
  const [rootAfterReceive, receiveKey] = kdfRoot(state.rootKey, ecdh(state.self.privateKey, theirKey))
  const self = generateKeyPair(random)
  const [rootKey, sendKey] = kdfRoot(rootAfterReceive, ecdh(self.privateKey, theirKey))
  return {
    ...state,
    rootKey,
    self,
    remote: theirKey,
    send: { key: sendKey, n: 0 },
    receive: { key: receiveKey, n: 0 },
    previousSendCount: state.send.n
  }
}

/** Derives and collects the keys of messages [receive.n, until) of the current receiving chain. */
function skipMessageKeys(
  state: RatchetState,
  until: number,
  limits: RatchetLimits,
  into: StoredMessageKey[],
  which: 'previous' | 'current'
): RatchetState {
  if (until < state.receive.n) {
    throw new CryptoError(
      'MESSAGE_KEY_DELETED',
      `can't skip ${which} chain message keys: message ${until} is behind the chain (at ${state.receive.n}); its key was already used and deleted`
    )
  }
  if (until - state.receive.n > limits.maxSkip) {
    throw new CryptoError(
      'TOO_MANY_SKIPPED',
      `can't skip ${which} chain message keys: ${until - state.receive.n} skipped messages exceed MaxSkip ${limits.maxSkip}`
    )
  }
  let receive = state.receive
  let keysCount = state.keysCount
  while (receive.n < until) {
    const n = receive.n
    const [nextChain, key] = stepChain(receive)
    into.push({ dh: state.remote, n, key, seq: keysCount })
    receive = nextChain
    keysCount += 1
  }
  return { ...state, receive, keysCount }
}

function storeMessageKeys(state: RatchetState, added: StoredMessageKey[], limits: RatchetLimits): RatchetState {
  let keys = [...state.messageKeys, ...added]
  if (keys.length > limits.maxMessageKeysPerSession) keys = keys.slice(keys.length - limits.maxMessageKeysPerSession)
  if (state.keysCount >= limits.maxKeep) {
    const oldestKept = state.keysCount - limits.maxKeep
    keys = keys.filter((k) => k.seq > oldestKept)
  }
  return { ...state, messageKeys: keys }
}

function findMessageKey(keys: readonly StoredMessageKey[], dh: Uint8Array, n: number): StoredMessageKey | undefined {
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i]!
    if (k.n === n && equalBytes(k.dh, dh)) return k
  }
  return undefined
}

function generateKeyPair(random: RandomBytes): DhKeyPair {
  const privateKey = generatePrivateKey(random)
  return { privateKey, publicKey: publicKeyOf(privateKey, true) }
}

function assertSharedKey(sharedKey: Uint8Array): void {
  if (sharedKey.length !== 32 || sharedKey.every((b) => b === 0)) {
    throw new CryptoError('INVALID_KEY', 'ratchet shared key must be 32 non-zero bytes')
  }
}

function assertHeader(header: RatchetHeader): void {
  for (const [name, value] of [
    ['n', header.n],
    ['pn', header.pn]
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
      throw new CryptoError('CIPHERTEXT_MALFORMED', `ratchet header ${name} must be a uint32, got ${value}`)
    }
  }
}
