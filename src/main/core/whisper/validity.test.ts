import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { FULL_BLOOM, topicToBloom } from './bloom'
import type { Envelope } from './envelope'
import { powOf } from './pow'
import { checkEnvelope, type ValidityContext } from './validity'

const NOW = 1_700_000_000
const TOPIC = hexToBytes('deadbeef')
const base: Envelope = { expiry: NOW + 1, ttl: 1, topic: TOPIC, data: hexToBytes('deadbeef'), nonce: 0n }
const ctx: ValidityContext = { now: NOW, minPow: 0, minPowTolerance: 0, bloom: null, bloomTolerance: null, maxMessageSize: 1 << 20 }

function env(over: Partial<Envelope>): Envelope {
  return { ...base, ...over }
}

describe('checkEnvelope (spec §2.1)', () => {
  it('accepts a current envelope and reports PoW and bloom', () => {
    const e = env({ expiry: NOW + 50, ttl: 50 })
    expect(checkEnvelope(e, ctx)).toEqual({ kind: 'accept', pow: powOf(e), bloom: topicToBloom(TOPIC) })
  })

  it('time windows: future > 10 s is a violation, up to 10 s gets a PoW penalty', () => {
    const early = env({ expiry: NOW + 10 + 50, ttl: 50 })
    const verdict = checkEnvelope(early, ctx)
    expect(verdict).toEqual({ kind: 'accept', pow: powOf(early, 11), bloom: topicToBloom(TOPIC) })
    expect(checkEnvelope(env({ expiry: NOW + 11 + 50, ttl: 50 }), ctx)).toMatchObject({ kind: 'violation', reason: 'future' })
  })

  it('expired within 20 s is dropped silently, older is a violation', () => {
    expect(checkEnvelope(env({ expiry: NOW - 1, ttl: 50 }), ctx)).toEqual({ kind: 'drop' })
    expect(checkEnvelope(env({ expiry: NOW - 20, ttl: 50 }), ctx)).toEqual({ kind: 'drop' })
    expect(checkEnvelope(env({ expiry: NOW - 21, ttl: 50 }), ctx)).toMatchObject({ kind: 'violation', reason: 'too-old' })
    expect(checkEnvelope(env({ expiry: NOW, ttl: 50 }), ctx).kind).toBe('accept')
  })

  it('size limit counts 20 + len(data)', () => {
    const e = env({ expiry: NOW + 5, ttl: 5, data: new Uint8Array(80) })
    expect(checkEnvelope(e, { ...ctx, maxMessageSize: 100 }).kind).toBe('accept')
    expect(checkEnvelope(e, { ...ctx, maxMessageSize: 99 })).toMatchObject({ kind: 'violation', reason: 'oversize' })
  })

  it('TTL 0 is a violation', () => {
    expect(checkEnvelope(env({ expiry: NOW, ttl: 0 }), ctx)).toMatchObject({ kind: 'violation', reason: 'ttl-zero' })
  })

  it('PoW must meet the requirement or the tolerated previous one', () => {
    const e = env({ expiry: NOW + 1, ttl: 1 })
    const pow = powOf(e)
    expect(pow).toBeGreaterThan(0)
    expect(checkEnvelope(e, { ...ctx, minPow: pow }).kind).toBe('accept')
    expect(checkEnvelope(e, { ...ctx, minPow: pow * 2, minPowTolerance: pow * 2 })).toMatchObject({ kind: 'violation', reason: 'low-pow' })
    expect(checkEnvelope(e, { ...ctx, minPow: pow * 2, minPowTolerance: pow }).kind).toBe('accept')
  })

  it('bloom must match ours or the tolerated previous one', () => {
    const e = env({ expiry: NOW + 5, ttl: 5 })
    const other = topicToBloom(hexToBytes('00000000'))
    expect(checkEnvelope(e, { ...ctx, bloom: FULL_BLOOM }).kind).toBe('accept')
    expect(checkEnvelope(e, { ...ctx, bloom: other, bloomTolerance: other })).toMatchObject({ kind: 'violation', reason: 'bloom-mismatch' })
    expect(checkEnvelope(e, { ...ctx, bloom: other, bloomTolerance: null }).kind).toBe('accept')
    expect(checkEnvelope(e, { ...ctx, bloom: other, bloomTolerance: topicToBloom(TOPIC) }).kind).toBe('accept')
  })
})
