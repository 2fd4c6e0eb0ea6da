/**
 * Date and number formatting that never throws. Times shown come from other people's clocks and from
 * stored records; `Intl` and `toISOString` throw RangeError on a date out of range ("Invalid time
 * value"), which in a render would take the whole tree down.
 */

/** What is shown where a value cannot be: an absurd timestamp, NaN. */
export const UNKNOWN_VALUE = '—'

/** ECMAScript dates span ±8.64e15 ms around 1970. */
const MAX_DATE_MS = 8.64e15

const styles = {
  time: { hour: '2-digit', minute: '2-digit' },
  day: { month: 'short', day: 'numeric' },
  date: { dateStyle: 'medium' },
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  full: { dateStyle: 'full', timeStyle: 'medium' },
  shortTime: { timeStyle: 'short' }
} as const satisfies Record<string, Intl.DateTimeFormatOptions>

export type DateStyle = keyof typeof styles

const formats = new Map<DateStyle, Intl.DateTimeFormat>()

function formatFor(style: DateStyle): Intl.DateTimeFormat {
  let format = formats.get(style)
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, styles[style])
    formats.set(style, format)
  }
  return format
}

/** The Date for `ms` since the epoch, or null when it is not a number a Date can hold. */
export function dateOf(ms: unknown): Date | null {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return null
  return new Date(ms)
}

/** `ms` in the person's locale and the given style, or UNKNOWN_VALUE. */
export function formatDate(ms: unknown, style: DateStyle): string {
  const date = dateOf(ms)
  if (!date) return UNKNOWN_VALUE
  try {
    return formatFor(style).format(date)
  } catch {
    return UNKNOWN_VALUE
  }
}

/** `ms` as an ISO 8601 string for machine-readable attributes, or undefined. */
export function isoDate(ms: unknown): string | undefined {
  return dateOf(ms)?.toISOString()
}

/** Whether two instants fall on the same local day; false when either is not a date. */
export function sameDay(a: unknown, b: unknown): boolean {
  const first = dateOf(a)
  const second = dateOf(b)
  return first !== null && second !== null && first.toDateString() === second.toDateString()
}

/** `value` with exactly `digits` fraction digits in the person's locale, or UNKNOWN_VALUE. */
export function formatNumber(value: unknown, digits = 0): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return UNKNOWN_VALUE
  try {
    const fraction = Math.min(Math.max(Math.trunc(digits), 0), 20)
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: fraction, maximumFractionDigits: fraction }).format(value)
  } catch {
    return UNKNOWN_VALUE
  }
}
