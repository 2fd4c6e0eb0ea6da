import { randomBytes } from 'node:crypto'
import { concatBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { AES_NONCE_LENGTH, aesGcmOpen, aesGcmSeal } from '../primitives/aes-gcm'
import { eciesDecrypt, eciesEncrypt } from '../primitives/ecies'
import { generatePrivateKey, recoverSigner as recoverDigestSigner, signDigest } from '../primitives/secp256k1'
import type { Envelope } from './envelope'
import { WhisperError } from './errors'
import { mine, type SealedEnvelope } from './pow'
import { assertSymKey } from './symmetric'

/*
 * Plaintext inside an envelope's data (geth message.go):
 *   flags(1) ‖ size(1..3, little-endian) ‖ payload ‖ padding ‖ [signature R‖S‖V (65)]
 * flags bits 0–1 = length of the size field, bit 2 = signed.
 */

const SIZE_MASK = 0x03
const SIGNED_FLAG = 0x04
const SIGNATURE_LENGTH = 65
const PAD_BLOCK = 256

export type RandomBytes = (length: number) => Uint8Array

export const secureRandom: RandomBytes = (length) => new Uint8Array(randomBytes(length))

export interface PlaintextParams {
  payload: Uint8Array
  /** secp256k1 private key; signs keccak256 of everything before the signature. */
  signWith?: Uint8Array
  /** Used verbatim when given (any length); otherwise random padding to a multiple of 256. */
  padding?: Uint8Array
  random?: RandomBytes
}

function sizeFieldLength(payloadLength: number): number {
  if (payloadLength < 0x100) return 1
  if (payloadLength < 0x1_0000) return 2
  if (payloadLength < 0x100_0000) return 3
  throw new WhisperError('bad-argument', `payload of ${payloadLength} bytes is too large`)
}

/** geth's default padding: random, never all zero, bringing the signed plaintext to a multiple of 256. */
function randomPadding(rawLength: number, random: RandomBytes): Uint8Array {
  const length = PAD_BLOCK - (rawLength % PAD_BLOCK)
  for (;;) {
    const pad = random(length)
    if (pad.length !== length) throw new WhisperError('bad-argument', 'random source returned the wrong length')
    if (length <= 3 || pad.some((b) => b !== 0)) return pad
  }
}

export function buildPlaintext(params: PlaintextParams): Uint8Array {
  const { payload, signWith } = params
  const sizeLen = sizeFieldLength(payload.length)
  const signed = signWith !== undefined
  const padding =
    params.padding ??
    randomPadding(1 + sizeLen + payload.length + (signed ? SIGNATURE_LENGTH : 0), params.random ?? secureRandom)
  const body = new Uint8Array(1 + sizeLen + payload.length + padding.length)
  body[0] = sizeLen | (signed ? SIGNED_FLAG : 0)
  for (let i = 0; i < sizeLen; i++) body[1 + i] = (payload.length >>> (8 * i)) & 0xff
  body.set(payload, 1 + sizeLen)
  body.set(padding, 1 + sizeLen + payload.length)
  if (!signed) return body
  return concatBytes(body, signDigest(keccak256(body), signWith))
}

export interface ParsedPlaintext {
  payload: Uint8Array
  padding: Uint8Array
  /** 65-byte uncompressed public key of the signer, or null when unsigned. */
  signer: Uint8Array | null
}

/** Strict inverse of buildPlaintext; throws WhisperError on any inconsistency or a bad signature. */
export function parsePlaintext(raw: Uint8Array): ParsedPlaintext {
  if (raw.length < 1) throw new WhisperError('bad-plaintext', 'empty plaintext')
  const flags = raw[0] as number
  let end = raw.length
  let signer: Uint8Array | null = null
  if (flags & SIGNED_FLAG) {
    end -= SIGNATURE_LENGTH
    if (end <= 1) throw new WhisperError('bad-plaintext', 'signed plaintext too short')
    signer = recoverSigner(raw.subarray(0, end), raw.subarray(end))
  }
  const sizeLen = flags & SIZE_MASK
  let at = 1
  let payload = new Uint8Array(0)
  if (sizeLen > 0) {
    if (at + sizeLen > end) throw new WhisperError('bad-plaintext', 'size field runs past the end')
    let size = 0
    for (let i = 0; i < sizeLen; i++) size += (raw[at + i] as number) * 2 ** (8 * i)
    at += sizeLen
    if (at + size > end) throw new WhisperError('bad-plaintext', `payload size ${size} runs past the end`)
    payload = raw.slice(at, at + size)
    at += size
  }
  return { payload, padding: raw.slice(at, end), signer }
}

function recoverSigner(body: Uint8Array, signature: Uint8Array): Uint8Array {
  let v = signature[64] as number
  if (v === 27 || v === 28) v -= 27
  if (v !== 0 && v !== 1) throw new WhisperError('bad-signature', `signature recovery id ${v} is invalid`)
  try {
    return recoverDigestSigner(keccak256(body), signature)
  } catch (cause) {
    throw new WhisperError('bad-signature', 'signature does not recover to a public key', { cause })
  }
}

export type SealKey = { symKey: Uint8Array } | { publicKey: Uint8Array }
export type OpenKey = { symKey: Uint8Array } | { privateKey: Uint8Array }

export interface SealMessageParams {
  payload: Uint8Array
  topic: Uint8Array
  ttl: number
  powTarget: number
  workTimeMs: number
  key: SealKey
  signWith?: Uint8Array
  padding?: Uint8Array
  /** Millisecond clock: sets Expiry (now/1000 + ttl) and bounds mining. */
  now?: () => number
  random?: RandomBytes
}

/** Encrypt data for `key`: symmetric AES-GCM or ECIES to a public key. */
export function encryptPayload(plaintext: Uint8Array, key: SealKey, random: RandomBytes = secureRandom): Uint8Array {
  if ('symKey' in key) {
    assertSymKey(key.symKey)
    return aesGcmSeal(key.symKey, plaintext, random(AES_NONCE_LENGTH))
  }
  return eciesEncrypt(key.publicKey, plaintext, { ephemeralPrivateKey: generatePrivateKey(random), iv: random(16) })
}

/** Decrypt envelope data; null when it is not for this key. */
export function decryptPayload(data: Uint8Array, key: OpenKey): Uint8Array | null {
  if (!('symKey' in key)) return eciesDecrypt(key.privateKey, data)
  assertSymKey(key.symKey)
  return aesGcmOpen(key.symKey, data)
}

/** Build, encrypt, wrap and mine one message (geth `Wrap`). */
export function sealMessage(params: SealMessageParams): Envelope {
  return mineMessage(params).envelope
}

/** sealMessage, also giving the PoW that the mining reached. */
export function mineMessage(params: SealMessageParams): SealedEnvelope {
  const { ttl, topic } = params
  if (!Number.isInteger(ttl) || ttl < 1) throw new WhisperError('bad-argument', `ttl must be a positive integer, got ${ttl}`)
  const now = params.now ?? Date.now
  const random = params.random ?? secureRandom
  const plaintext = buildPlaintext({
    payload: params.payload,
    signWith: params.signWith,
    padding: params.padding,
    random
  })
  const data = encryptPayload(plaintext, params.key, random)
  const expiry = Math.floor(now() / 1000) + ttl
  return mine({ expiry, ttl, topic, data }, { target: params.powTarget, workTimeMs: params.workTimeMs, now })
}

export interface OpenedMessage {
  payload: Uint8Array
  signer: Uint8Array | null
  padding: Uint8Array
}

/** Decrypt and parse, or null when the envelope is not for this key or its plaintext is malformed. */
export function openEnvelope(envelope: Pick<Envelope, 'data'>, key: OpenKey): OpenedMessage | null {
  const plaintext = decryptPayload(envelope.data, key)
  if (!plaintext) return null
  try {
    return parsePlaintext(plaintext)
  } catch {
    return null
  }
}
