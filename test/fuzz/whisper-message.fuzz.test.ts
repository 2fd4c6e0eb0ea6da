import assert from 'node:assert/strict'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { WhisperError } from '../../src/main/core/whisper/errors'
import { buildPlaintext, encryptPayload, openEnvelope, parsePlaintext } from '../../src/main/core/whisper/message'
import { assertProperty, mutated, onlyThrows } from './harness'

const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidSecretKey(k))
const payload = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 255, maxLength: 257 }))
const padding = fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined })
const plaintextParams = fc.record({ payload, padding, signWith: fc.option(secretKey, { nil: undefined }) }, { requiredKeys: ['payload'] })
const seededRandom = (seed: number) => (length: number) => Uint8Array.from({ length }, (_, i) => (seed + i * 131) & 0xff)
const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'))

describe('Whisper plaintext and open', () => {
  it('parse what they build, with the signer recovered', () => {
    assertProperty('plaintext round trip', 150, fc.property(plaintextParams, fc.integer(), (params, seed) => {
      const parsed = parsePlaintext(buildPlaintext({ ...params, random: seededRandom(seed) }))
      assert.equal(hex(parsed.payload), hex(params.payload))
      if (params.padding) assert.equal(hex(parsed.padding), hex(params.padding))
      assert.equal(hex(parsed.signer), params.signWith ? hex(secp256k1.getPublicKey(params.signWith, false)) : null)
    }))
  })

  it('refuse any other plaintext with WhisperError, and whatever they accept stays inside the input', () => {
    const unsigned = plaintextParams.map(({ signWith: _signWith, ...rest }) => buildPlaintext({ ...rest, random: seededRandom(1) }))
    assertProperty('plaintext decode', 2000, fc.property(mutated(unsigned), (raw) => {
      const parsed = onlyThrows(() => parsePlaintext(raw), WhisperError)
      if (parsed) assert.ok(1 + parsed.payload.length + parsed.padding.length <= raw.length)
    }))
    // Signed ones cost a public key recovery each: fewer of them.
    const signed = fc.tuple(payload, secretKey).map(([p, key]) => buildPlaintext({ payload: p, signWith: key, random: seededRandom(2) }))
    assertProperty('signed plaintext decode', 100, fc.property(mutated(signed), (raw) => {
      onlyThrows(() => parsePlaintext(raw), WhisperError)
    }))
  })

  it('open never throws: a message, or null for data that is not for the key', () => {
    const symKey = fc.uint8Array({ minLength: 32, maxLength: 32 })
    const sealed = fc.tuple(payload, symKey, fc.integer()).map(([p, key, seed]) => ({
      key,
      data: encryptPayload(buildPlaintext({ payload: p, random: seededRandom(seed) }), { symKey: key }, seededRandom(seed + 1))
    }))
    assertProperty('open symmetric', 500, fc.property(sealed, fc.uint8Array({ maxLength: 8 }), (s, edit) => {
      const opened = openEnvelope({ data: s.data }, { symKey: s.key })
      assert.notEqual(opened, null)
      const tampered = Uint8Array.from([...s.data.subarray(0, s.data.length - edit.length), ...edit])
      openEnvelope({ data: tampered }, { symKey: s.key })
    }))
    assertProperty('open asymmetric', 150, fc.property(secretKey, fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 113, maxLength: 200 }).map((b) => Uint8Array.of(4, ...b))), (key, data) => {
      openEnvelope({ data }, { privateKey: key })
    }))
  })
})
