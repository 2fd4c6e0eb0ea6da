import * as snappy from 'snappyjs'
import { describe, expect, it } from 'vitest'
import { snappyLiteral } from './devp2p-workarounds'

describe('snappyLiteral', () => {
  it.each([0, 1, 59, 60, 61, 255, 256, 257, 65536, 65537, 300_000, 1 << 24])('is a valid snappy block for %i bytes', (n) => {
    const payload = new Uint8Array(n)
    for (let i = 0; i < n; i++) payload[i] = (i * 7 + 3) & 0xff
    const block = snappyLiteral(payload)
    expect(block.length).toBeLessThanOrEqual(n + 10)
    expect(Buffer.from(snappy.uncompress(block)).equals(Buffer.from(payload))).toBe(true)
  })
})
