import { describe, expect, it } from 'vitest'
import { FULL_BLOOM, topicToBloom } from './bloom'
import { LocalRequirements, TOLERANCE_MS } from './local-requirements'

describe('LocalRequirements', () => {
  it('honours the previous PoW for 10 s after a change, then only the new one', () => {
    let now = 1_000_000
    const req = new LocalRequirements(0.2, null, 1024, () => now)
    expect(req.validityContext()).toMatchObject({ now: 1000, minPow: 0.2, minPowTolerance: 0.2, maxMessageSize: 1024 })
    req.setMinPow(0.5)
    expect(req.minPow).toBe(0.5)
    expect(req.validityContext()).toMatchObject({ minPow: 0.5, minPowTolerance: 0.2 })
    now += TOLERANCE_MS - 1
    expect(req.validityContext().minPowTolerance).toBe(0.2)
    now += 1
    expect(req.validityContext().minPowTolerance).toBe(0.5)
  })

  it('refuses a negative, NaN or infinite PoW', () => {
    expect(() => new LocalRequirements(-1, null, 1, Date.now)).toThrow(/bad minPow/)
    const req = new LocalRequirements(0, null, 1, Date.now)
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -0.1]) expect(() => req.setMinPow(bad)).toThrow(/bad minPow/)
    expect(req.minPow).toBe(0)
  })

  it('reports an unchanged bloom as no change, keeps a full bloom as "every topic", and tolerates the old one', () => {
    let now = 0
    const a = topicToBloom(Uint8Array.of(1, 2, 3, 4))
    const req = new LocalRequirements(0, a, 1, () => now)
    expect(req.setBloom(a.slice())).toBe(false)
    now = 50_000
    expect(req.setBloom(FULL_BLOOM.slice())).toBe(true)
    expect(req.bloom).toBeNull()
    expect(req.validityContext()).toMatchObject({ bloom: null, bloomTolerance: a })
    now += TOLERANCE_MS
    expect(req.validityContext().bloomTolerance).toBeNull()
  })
})
