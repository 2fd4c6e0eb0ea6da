import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../primitives/keccak'
import { WhisperError } from './errors'
import { buildPlaintext, openEnvelope, parsePlaintext, sealMessage, type RandomBytes } from './message'
import { powOf } from './pow'
import { aesGcmSeal } from '../primitives/aes-gcm'

const SIGNER = hexToBytes('7ebbc6a8358bc76dd73ebc557056702c8cfc34e5cfcd90eb83af0347575fd2ad')
const SIGNER_PUB =
  '04ddf77958383a6515894f88b30b4b4e40b32d2d84650ae2765abd8bfaece5f829ea66963adc409efa966df6482e55d1197b63481e5004e31560ab385bf3d942e2'
const SIGNATURE =
  'd70876ca46504c163b013923181e1b989f8fa2ec6e7d075ff43f5562a707db4256e80ce456c824e48358ae12c01ee132507b0ee7490ad9212d486b7af0c0050301'
const SYM_KEY = hexToBytes('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')

/** Deterministic byte source (counter-based), so tests never depend on the CSPRNG. */
function fakeRandom(seed = 1): RandomBytes {
  let counter = seed
  return (length) => Uint8Array.from({ length }, () => (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24)
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return e instanceof WhisperError ? e.code : `not a WhisperError: ${String(e)}`
  }
  return undefined
}

describe('plaintext (spec §3.1, §5.3, §5.5)', () => {
  it('reproduces the signed plaintext vector', () => {
    const raw = buildPlaintext({ payload: utf8ToBytes('hello whisper'), signWith: SIGNER, padding: new Uint8Array(176).fill(0x11) })
    expect(raw).toHaveLength(256)
    expect(raw[0]).toBe(0x05)
    expect(raw[1]).toBe(0x0d)
    expect(bytesToHex(keccak256(raw.subarray(0, 191)))).toBe('cb2375fd9cf2a2e2e263ec38e97c7c176f8246ac4ec63beac06f2be6724bfd6b')
    expect(bytesToHex(raw.subarray(191))).toBe(SIGNATURE)
    const parsed = parsePlaintext(raw)
    expect(new TextDecoder().decode(parsed.payload)).toBe('hello whisper')
    expect(parsed.padding).toEqual(new Uint8Array(176).fill(0x11))
    expect(bytesToHex(parsed.signer ?? new Uint8Array(0))).toBe(SIGNER_PUB)
  })

  it('accepts V = 27/28 on receive, rejects other V and a corrupted signature', () => {
    const raw = buildPlaintext({ payload: utf8ToBytes('hello whisper'), signWith: SIGNER, padding: new Uint8Array(176).fill(0x11) })
    const v27 = raw.slice()
    v27[255] = 28
    expect(bytesToHex(parsePlaintext(v27).signer ?? new Uint8Array(0))).toBe(SIGNER_PUB)
    const v2 = raw.slice()
    v2[255] = 2
    expect(code(() => parsePlaintext(v2))).toBe('bad-signature')
    const badR = raw.slice()
    badR.fill(0, 191, 223)
    expect(code(() => parsePlaintext(badR))).toBe('bad-signature')
  })

  it('pads like geth: signed 246-byte payload gives 447 bytes before the signature', () => {
    const raw = buildPlaintext({ payload: new Uint8Array(246), signWith: SIGNER, random: fakeRandom() })
    expect(raw).toHaveLength(512)
    expect(raw[0]).toBe(0x05)
  })

  it.each([0, 1, 252, 253, 254, 255, 256, 300, 65535, 65536, 70000])('default padding makes %i-byte payloads a multiple of 256', (n) => {
    for (const signWith of [undefined, SIGNER]) {
      const payload = new Uint8Array(n).fill(3)
      const raw = buildPlaintext({ payload, signWith, random: fakeRandom(n) })
      expect(raw.length % 256).toBe(0)
      const parsed = parsePlaintext(raw)
      expect(parsed.payload).toEqual(payload)
      expect(parsed.padding.length).toBeGreaterThan(0)
      expect(raw[0]! & 3).toBe(n < 256 ? 1 : n < 65536 ? 2 : 3)
    }
  })

  it.each([1, 2, 255, 256, 257, 259])('caller padding of %i bytes is used verbatim', (n) => {
    const padding = new Uint8Array(n).fill(0xab)
    const parsed = parsePlaintext(buildPlaintext({ payload: Uint8Array.of(1, 2, 3), padding }))
    expect(parsed.padding).toEqual(padding)
    expect(parsed.signer).toBeNull()
  })

  it('never emits all-zero random padding', () => {
    let calls = 0
    const zeroFirst: RandomBytes = (length) => (calls++ === 0 ? new Uint8Array(length) : new Uint8Array(length).fill(5))
    const raw = buildPlaintext({ payload: Uint8Array.of(1), random: zeroFirst })
    expect(calls).toBe(2)
    expect(raw[10]).toBe(5)
  })

  it('bounds-checks hostile plaintexts', () => {
    expect(code(() => parsePlaintext(new Uint8Array(0)))).toBe('bad-plaintext')
    expect(code(() => parsePlaintext(Uint8Array.of(0x01, 5, 1, 2)))).toBe('bad-plaintext')
    expect(code(() => parsePlaintext(Uint8Array.of(0x03, 1)))).toBe('bad-plaintext')
    expect(code(() => parsePlaintext(Uint8Array.of(0x02, 0xff, 0xff, 1)))).toBe('bad-plaintext')
    expect(code(() => parsePlaintext(new Uint8Array(66).fill(0x04)))).toBe('bad-plaintext')
    expect(parsePlaintext(Uint8Array.of(0x00, 9, 9))).toEqual({ payload: new Uint8Array(0), padding: Uint8Array.of(9, 9), signer: null })
    expect(parsePlaintext(Uint8Array.of(0x01, 2, 7, 8)).payload).toEqual(Uint8Array.of(7, 8))
  })
})

describe('sealMessage / openEnvelope', () => {
  const now = (): number => 1_700_000_000_000

  it('symmetric round trip with signature, PoW and timing', () => {
    const topic = hexToBytes('cd423760')
    const env = sealMessage({
      payload: utf8ToBytes('hi'),
      topic,
      ttl: 15,
      powTarget: 0.002,
      workTimeMs: 5000,
      key: { symKey: SYM_KEY },
      signWith: SIGNER,
      now,
      random: fakeRandom()
    })
    expect(env.expiry).toBe(1_700_000_015)
    expect(env.ttl).toBe(15)
    expect(env.topic).toEqual(topic)
    expect(env.data.length).toBe(256 + 28)
    expect(powOf(env)).toBeGreaterThanOrEqual(0.002)
    const opened = openEnvelope(env, { symKey: SYM_KEY })
    expect(new TextDecoder().decode(opened?.payload)).toBe('hi')
    expect(bytesToHex(opened?.signer ?? new Uint8Array(0))).toBe(SIGNER_PUB)
    const other = SYM_KEY.slice()
    other[31] = 0
    expect(openEnvelope(env, { symKey: other })).toBeNull()
    expect(openEnvelope(env, { privateKey: SIGNER })).toBeNull()
  })

  it('is deterministic given the clock and random source', () => {
    const params = { payload: Uint8Array.of(1), topic: new Uint8Array(4), ttl: 10, powTarget: 0.01, workTimeMs: 1000, key: { symKey: SYM_KEY }, now }
    expect(sealMessage({ ...params, random: fakeRandom(7) })).toEqual(sealMessage({ ...params, random: fakeRandom(7) }))
  })

  it('asymmetric round trip; only the recipient opens it', () => {
    const recipient = hexToBytes('d0b043b4c5d657670778242d82d68a29d25d7d711127d17b8e299f156dad361a')
    const env = sealMessage({
      payload: utf8ToBytes('secret'),
      topic: new Uint8Array(4),
      ttl: 10,
      powTarget: 0,
      workTimeMs: 0,
      key: { publicKey: secp256k1.getPublicKey(recipient, false) },
      now,
      random: fakeRandom(3)
    })
    expect(env.data.length).toBe(256 + 113)
    expect(new TextDecoder().decode(openEnvelope(env, { privateKey: recipient })?.payload)).toBe('secret')
    expect(openEnvelope(env, { privateKey: SIGNER })).toBeNull()
    expect(openEnvelope(env, { symKey: SYM_KEY })).toBeNull()
  })

  it('returns null when the key fits but the plaintext is malformed', () => {
    const data = aesGcmSeal(SYM_KEY, Uint8Array.of(0x01, 5, 1), new Uint8Array(12))
    expect(openEnvelope({ data }, { symKey: SYM_KEY })).toBeNull()
  })

  it('rejects a zero TTL', () => {
    const params = { payload: Uint8Array.of(1), topic: new Uint8Array(4), ttl: 0, powTarget: 0, workTimeMs: 0, key: { symKey: SYM_KEY } }
    expect(code(() => sealMessage(params))).toBe('bad-argument')
  })
})
