import { describe, expect, it } from 'vitest'
import { dateOf, formatDate, formatNumber, isoDate, sameDay, UNKNOWN_VALUE } from './format'

const ABSURD: unknown[] = [2 ** 63 - 1, Number(2n ** 64n - 1n), 8.64e15 + 1, -8.64e15 - 1, Infinity, -Infinity, NaN, undefined, null, '2020', {}]

describe('date formatting that never throws', () => {
  it('formats real instants', () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5)
    expect(isoDate(ms)).toBe('2024-01-02T03:04:05.000Z')
    expect(formatDate(ms, 'full')).toMatch(/2024/)
    expect(formatDate(0, 'date')).not.toBe(UNKNOWN_VALUE)
    expect(sameDay(ms, ms + 1)).toBe(true)
  })

  it('shows a dash for values no Date can hold, where Intl and toISOString throw', () => {
    expect(() => new Date(2 ** 63 - 1).toISOString()).toThrow(RangeError)
    for (const value of ABSURD) {
      expect(dateOf(value)).toBeNull()
      expect(isoDate(value)).toBeUndefined()
      expect(sameDay(value, 0)).toBe(false)
      for (const style of ['time', 'day', 'date', 'dateTime', 'full', 'shortTime'] as const) {
        expect(formatDate(value, style)).toBe(UNKNOWN_VALUE)
      }
    }
  })
})

describe('number formatting that never throws', () => {
  it('formats with a fixed number of fraction digits', () => {
    expect(formatNumber(1.25, 1)).toMatch(/^1[.,][23]$/)
    expect(formatNumber(0, 1)).toMatch(/^0[.,]0$/)
  })

  it('shows a dash for NaN, infinities and non-numbers, and survives absurd digit counts', () => {
    for (const value of [NaN, Infinity, -Infinity, undefined, '5']) expect(formatNumber(value)).toBe(UNKNOWN_VALUE)
    expect(formatNumber(2 ** 63 - 1, 1000)).not.toBe(UNKNOWN_VALUE)
    expect(formatNumber(1, -5)).toBe('1')
  })
})
