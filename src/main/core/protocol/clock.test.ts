import { describe, expect, it } from 'vitest'
import { ChatClock, compareByClock, isClearedByDeletion, nextClockAndTimestamp, observeClock } from './clock'

describe('nextClockAndTimestamp', () => {
  it('uses wall time for a fresh chat', () => {
    expect(nextClockAndTimestamp(0n, 1_000)).toEqual({ clock: 1_000n, timestamp: 1_000n })
  })

  it('uses wall time when the chat is behind it', () => {
    expect(nextClockAndTimestamp(999n, 1_000)).toEqual({ clock: 1_000n, timestamp: 1_000n })
  })

  it('bids last + 1 when the chat is at or ahead of wall time', () => {
    expect(nextClockAndTimestamp(1_000n, 1_000)).toEqual({ clock: 1_001n, timestamp: 1_000n })
    expect(nextClockAndTimestamp(5_000n, 1_000)).toEqual({ clock: 5_001n, timestamp: 1_000n })
  })
})

describe('ChatClock', () => {
  it('stays monotonic when wall time stands still or goes backwards', () => {
    let now = 10_000
    const clock = new ChatClock(0n, () => now)
    expect(clock.next().clock).toBe(10_000n)
    expect(clock.next().clock).toBe(10_001n)
    now = 9_000
    const stamp = clock.next()
    expect(stamp).toEqual({ clock: 10_002n, timestamp: 9_000n })
  })

  it('jumps past clocks it observes from peers', () => {
    const clock = new ChatClock(0n, () => 10_000)
    clock.observe(20_000n)
    clock.observe(15_000n)
    expect(clock.last).toBe(20_000n)
    expect(clock.next().clock).toBe(20_001n)
  })
})

describe('ordering helpers', () => {
  it('observeClock keeps the maximum', () => {
    expect(observeClock(5n, 3n)).toBe(5n)
    expect(observeClock(5n, 8n)).toBe(8n)
  })

  it('orders by clock, then by id', () => {
    const list = [
      { clock: 2n, id: '0xbb' },
      { clock: 1n, id: '0xff' },
      { clock: 2n, id: '0xaa' }
    ]
    expect(list.sort(compareByClock).map((m) => m.id)).toEqual(['0xff', '0xaa', '0xbb'])
  })

  it('hides messages at or below the deleted-at clock', () => {
    expect(isClearedByDeletion(10n, 10n)).toBe(true)
    expect(isClearedByDeletion(11n, 10n)).toBe(false)
    expect(isClearedByDeletion(1n, 0n)).toBe(false)
  })
})
