import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { initHashing } from '../primitives/keccak'
import type { Envelope } from './envelope'
import { WhisperError } from './errors'
import { leadingZeroBits, mine, powOf, seal, targetBits } from './pow'

const BASE = { expiry: 0, ttl: 1, topic: new Uint8Array(4), data: hexToBytes('deadbeef') }

/** A clock that advances by `stepMs` on every read: mining time is counted in clock reads, not wall time. */
function steppingClock(stepMs: number): () => number {
  let t = 0
  return () => (t += stepMs)
}

describe('PoW (spec §2.2, §5.1)', () => {
  it('reproduces geth envelope_test vectors bit for bit', () => {
    expect(powOf({ ...BASE, nonce: 100000n })).toBe(0.07692307692307693)
    expect(powOf({ ...BASE, nonce: 276n })).toBe(19.692307692307693)
  })

  it('same results with the wasm back end', async () => {
    await initHashing()
    expect(powOf({ ...BASE, nonce: 100000n })).toBe(0.07692307692307693)
    expect(powOf({ ...BASE, nonce: 276n })).toBe(19.692307692307693)
  })

  it('extra TTL lowers the PoW', () => {
    expect(powOf({ ...BASE, nonce: 276n }, 1)).toBe(19.692307692307693 / 2)
  })

  it('counts leading zero bits', () => {
    expect(leadingZeroBits(hexToBytes('80'))).toBe(0)
    expect(leadingZeroBits(hexToBytes('00e2'))).toBe(8)
    expect(leadingZeroBits(hexToBytes('0001'))).toBe(15)
    expect(leadingZeroBits(new Uint8Array(32))).toBe(256)
  })

  it('target bits follow geth: ceil(log2(pow·(20+len)·ttl)), at least 1', () => {
    expect(targetBits(0.2, { data: new Uint8Array(281), ttl: 50 })).toBe(12)
    expect(targetBits(0.002, { data: new Uint8Array(281), ttl: 50 })).toBe(5)
    expect(targetBits(0.00001, { data: new Uint8Array(281), ttl: 50 })).toBe(1)
  })

  it('seals to the first nonce that reaches the target', () => {
    const unsealed = { expiry: 1_700_000_050, ttl: 50, topic: hexToBytes('cd423760'), data: new Uint8Array(281).fill(7) }
    const sealed = seal(unsealed, { target: 0.2, workTimeMs: 1000, now: steppingClock(0) })
    expect(sealed.expiry).toBe(unsealed.expiry)
    expect(powOf(sealed)).toBeGreaterThanOrEqual(0.2)
    for (let n = 0n; n < sealed.nonce; n++) {
      expect(powOf({ ...sealed, nonce: n })).toBeLessThan(powOf(sealed))
    }
  })

  it('target 0 does not mine', () => {
    expect(seal(BASE, { target: 0, workTimeMs: 1000 }).nonce).toBe(0n)
  })

  it('fails clearly when the work time runs out', () => {
    const unsealed = { ...BASE, ttl: 100000, data: new Uint8Array(1000) }
    let error: unknown
    try {
      seal(unsealed, { target: 1000, workTimeMs: 10, now: steppingClock(5) })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(WhisperError)
    expect((error as WhisperError).code).toBe('pow-failed')
  })

  it('negative target mines for the whole work time, keeps the best nonce and extends expiry', () => {
    const clock = steppingClock(1)
    const sealed: Envelope = seal(BASE, { target: -1, workTimeMs: 300, now: clock })
    expect(sealed.expiry).toBe(1)
    // 300 clock reads ≈ 300 × 1024 nonces tried: the best must beat every nonce in a small prefix.
    const best = powOf(sealed)
    for (let n = 0n; n < 2000n; n++) expect(powOf({ ...sealed, nonce: n })).toBeLessThanOrEqual(best)
  })

  it('reports the PoW it mined, equal to checking the envelope again', () => {
    const unsealed = { expiry: 1_700_000_050, ttl: 50, topic: hexToBytes('cd423760'), data: new Uint8Array(281).fill(7) }
    for (const options of [
      { target: 0.2, workTimeMs: 1000, now: steppingClock(0) },
      { target: 0.002, workTimeMs: 1000, now: steppingClock(0) },
      { target: 0, workTimeMs: 1000 },
      { target: -1, workTimeMs: 20, now: steppingClock(1) },
      { target: -1, workTimeMs: 0, now: steppingClock(1) }
    ]) {
      const { envelope, pow } = mine(unsealed, options)
      expect(pow).toBe(powOf(envelope))
    }
  })
})
