import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { topicToBloom } from './bloom'
import { encodeEnvelope, envelopeHash, type Envelope } from './envelope'
import { EnvelopePool, type PooledEnvelope } from './pool'

let seq = 0
function pooled(expiry: number, pow: number, dataLength = 10): PooledEnvelope {
  const envelope: Envelope = { expiry, ttl: 10, topic: new Uint8Array(4), data: new Uint8Array(dataLength), nonce: BigInt(seq++) }
  const encoded = encodeEnvelope(envelope)
  const hash = envelopeHash(encoded)
  return { envelope, encoded, hash, hashHex: bytesToHex(hash), pow, bloom: topicToBloom(envelope.topic), receivedAt: 0 }
}

describe('EnvelopePool', () => {
  it('adds, refuses duplicates, looks up and counts bytes', () => {
    const pool = new EnvelopePool()
    const a = pooled(100, 1)
    expect(pool.add(a)).toBe(true)
    expect(pool.add({ ...a })).toBe(false)
    expect(pool.has(a.hashHex)).toBe(true)
    expect(pool.get(a.hashHex)).toBe(a)
    expect(pool.size).toBe(1)
    expect(pool.bytes).toBe(a.encoded.length)
    expect([...pool.values()]).toEqual([a])
  })

  it('sweeps strictly expired envelopes only', () => {
    const pool = new EnvelopePool()
    const a = pooled(100, 1)
    const b = pooled(101, 1)
    const c = pooled(150, 1)
    for (const e of [a, b, c]) pool.add(e)
    expect(pool.sweep(100)).toEqual([])
    expect(pool.sweep(102).sort()).toEqual([a.hashHex, b.hashHex].sort())
    expect(pool.size).toBe(1)
    expect(pool.has(c.hashHex)).toBe(true)
    expect(pool.bytes).toBe(c.encoded.length)
    expect(pool.add(a)).toBe(true)
  })

  it('count cap evicts lowest PoW and refuses an envelope weaker than all held', () => {
    const pool = new EnvelopePool({ maxCount: 3 })
    const [p1, p5, p3] = [pooled(100, 1), pooled(100, 5), pooled(100, 3)]
    for (const e of [p1, p5, p3]) expect(pool.add(e)).toBe(true)
    const p4 = pooled(100, 4)
    expect(pool.add(p4)).toBe(true)
    expect(pool.has(p1.hashHex)).toBe(false)
    expect(pool.add(pooled(100, 2))).toBe(false)
    expect(pool.size).toBe(3)
    pool.delete(p3.hashHex)
    const p0 = pooled(100, 0.5)
    expect(pool.add(p0)).toBe(true)
    expect(pool.add(pooled(100, 6))).toBe(true)
    expect(pool.has(p0.hashHex)).toBe(false)
    expect([...pool.values()].map((e) => e.pow).sort()).toEqual([4, 5, 6])
  })

  it('byte cap evicts as many weak envelopes as needed', () => {
    const small = pooled(100, 1, 100)
    const cap = small.encoded.length * 3
    const pool = new EnvelopePool({ maxBytes: cap })
    const smalls = [small, pooled(100, 2, 100), pooled(100, 3, 100)]
    for (const e of smalls) expect(pool.add(e)).toBe(true)
    const big = pooled(100, 10, 200)
    expect(pool.add(big)).toBe(true)
    expect(pool.bytes).toBeLessThanOrEqual(cap)
    expect(pool.has(smalls[0]!.hashHex)).toBe(false)
    expect(pool.has(smalls[1]!.hashHex)).toBe(false)
    expect(pool.has(smalls[2]!.hashHex)).toBe(true)
    expect(pool.add(pooled(100, 100, cap))).toBe(false)
  })

  it('stays consistent under many sweeps with a cap', () => {
    const pool = new EnvelopePool({ maxCount: 50 })
    for (let t = 0; t < 2000; t++) {
      pool.add(pooled(t + 5, (t * 7919) % 97))
      pool.sweep(t)
      expect(pool.size).toBeLessThanOrEqual(50)
    }
    for (const e of pool.values()) expect(e.envelope.expiry).toBeGreaterThanOrEqual(1999)
  })
})
