import { describe, expect, it } from 'vitest'
import { TokenBucket } from './token-bucket'

describe('TokenBucket', () => {
  it('starts full, refuses more than it holds without taking anything, and refills at its rate up to the burst', () => {
    const bucket = new TokenBucket(10, 5, 0)
    expect(bucket.take(5, 0)).toBe(true)
    expect(bucket.take(1, 0)).toBe(false)
    expect(bucket.take(1, 99)).toBe(false)
    expect(bucket.take(1, 100)).toBe(true)
    expect(bucket.take(2, 250)).toBe(false)
    expect(bucket.available(250)).toBeCloseTo(1.5)
    expect(bucket.available(60_000)).toBe(5)
  })

  it('spends past empty without owing, and a clock that steps back neither refills nor drains it', () => {
    const bucket = new TokenBucket(1, 3, 1000)
    bucket.spend(10, 1000)
    expect(bucket.available(1000)).toBe(0)
    expect(bucket.available(2000)).toBe(1)
    expect(bucket.available(500)).toBe(1)
    expect(bucket.available(3000)).toBe(2)
  })

  it('says how long until it holds an amount', () => {
    const bucket = new TokenBucket(50, 2, 0)
    expect(bucket.waitFor(1, 0)).toBe(0)
    bucket.spend(2, 0)
    expect(bucket.waitFor(1, 0)).toBe(20)
    expect(bucket.waitFor(1, 15)).toBe(5)
    expect(bucket.waitFor(2, 20)).toBe(20)
    expect(bucket.waitFor(1, 40)).toBe(0)
  })
})
