import { describe, expect, it } from 'vitest'
import { DirectDelivery } from './direct-delivery'
import type { PooledEnvelope } from './pool'

const envelope = (n: number): PooledEnvelope => ({ hashHex: String(n) }) as PooledEnvelope

describe('DirectDelivery', () => {
  it('delivers in order, in slices that let the event loop run, and counts what waits', async () => {
    const seen: string[] = []
    let deliveredBeforeYield = 0
    const spin = (): void => {
      const end = performance.now() + 0.2
      while (performance.now() < end);
    }
    const direct = new DirectDelivery(
      (e) => {
        spin()
        seen.push(e.hashHex)
      },
      { sliceMs: 1, stopped: () => false, onError: (error) => expect.fail(error.message) }
    )
    const interleaved = new Promise<void>((resolve) => setImmediate(() => ((deliveredBeforeYield = seen.length), resolve())))
    direct.push(Array.from({ length: 200 }, (_, i) => envelope(i)))
    expect(direct.backlog).toBeGreaterThan(0)
    direct.push([envelope(200)])
    await interleaved
    await direct.delivered()
    expect(seen).toEqual(Array.from({ length: 201 }, (_, i) => String(i)))
    expect(deliveredBeforeYield).toBeGreaterThan(0)
    expect(deliveredBeforeYield).toBeLessThan(201)
    expect(direct.backlog).toBe(0)
  })

  it('resolves delivered() at once when nothing waits, and stops delivering once stopped', async () => {
    let stopped = false
    const seen: string[] = []
    const direct = new DirectDelivery((e) => seen.push(e.hashHex), { sliceMs: 4, stopped: () => stopped, onError: () => undefined })
    await direct.delivered()
    stopped = true
    direct.push([envelope(1)])
    await direct.delivered()
    expect(seen).toEqual([])
  })
})
