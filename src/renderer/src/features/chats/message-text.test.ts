import { describe, expect, it } from 'vitest'
import { clipText, linkTarget, MAX_LINK_LENGTH, MAX_LINKS, MAX_SHOWN_LENGTH, splitLinks } from './message-text'

const MiB = 1024 * 1024

/** Below this a time is mostly timer and scheduler noise, so it counts as this much. */
const NOISE_FLOOR_MS = 5
/** Quadrupling the input quadruples a linear transformation's time and multiplies a quadratic one's by 16. */
const MAX_GROWTH = 10

/** The fastest of three runs: a busy machine only ever adds time. */
function fastest(transform: (text: string) => unknown, input: string): number {
  let best = Infinity
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    transform(input)
    best = Math.min(best, performance.now() - started)
  }
  return Math.max(NOISE_FLOOR_MS, best)
}

/**
 * Runs `transform` on inputs growing fourfold up to 1 MiB and fails at the first step whose time grows more than
 * tenfold. The test compares the transformation with itself on the same machine, so load slows both sides
 * alike; and a quadratic one fails at the first step past the noise floor (tens of KiB), long before it would
 * take hours on the full input.
 */
function expectLinear(make: (length: number) => string, transform: (text: string) => unknown): void {
  let previous = fastest(transform, make(4096))
  for (let length = 4 * 4096; length <= MiB; length *= 4) {
    const elapsed = fastest(transform, make(length))
    expect(elapsed / previous, `${length} characters took ${elapsed.toFixed(1)} ms, a quarter of them ${previous.toFixed(1)} ms`).toBeLessThan(MAX_GROWTH)
    previous = elapsed
  }
}

const repeat = (unit: string, prefix = '') => (length: number) => prefix + unit.repeat(Math.ceil((length - prefix.length) / unit.length)).slice(0, length - prefix.length)

describe('splitLinks on hostile text (1 MiB)', () => {
  const cases: Array<[string, (length: number) => string]> = [
    ['closing brackets after a link', repeat(')', 'https://a.org/')],
    ['closing square brackets after a link', repeat(']', 'https://a.org/')],
    ['alternating brackets and punctuation after a link', repeat(').]!', 'https://a.org/x')],
    ['punctuation runs inside a link', repeat('.....a', 'https://a.org/')],
    ['a link bomb', repeat('www.a.co ')],
    ['a link bomb of bracketed links', repeat('(https://a.org/)) ')],
    ['link prefixes that never complete', repeat('http:/')],
    ['one long host name', repeat('a', 'https://')],
    ['dotted host labels ending badly', repeat('a.', 'https://')],
    ['plain prose', repeat('the quick brown fox ')]
  ]
  for (const [name, make] of cases) {
    it(`stays linear: ${name}`, () => expectLinear(make, splitLinks))
  }

  it('keeps the text whole while making at most MAX_LINKS links', () => {
    const text = repeat('www.a.co ')(MiB)
    const parts = splitLinks(text)
    expect(parts.filter((part) => part.kind === 'link')).toHaveLength(MAX_LINKS)
    expect(parts.map((part) => part.text).join('')).toBe(text)
  })

  it('leaves a link longer than MAX_LINK_LENGTH as text', () => {
    const long = `https://a.org/${'x'.repeat(MAX_LINK_LENGTH)}`
    expect(splitLinks(long)).toEqual([{ kind: 'text', text: long }])
  })

  it('trims every unmatched closing bracket off a link', () => {
    expect(splitLinks(`https://a.org/x(y)${')'.repeat(100)}`)[0]).toEqual({ kind: 'link', text: 'https://a.org/x(y)', url: 'https://a.org/x(y)' })
  })
})

describe('clipText', () => {
  it('leaves short text alone and cuts long text to the cap with an ellipsis', () => {
    expect(clipText('hello')).toBe('hello')
    const clipped = clipText('x'.repeat(MiB))
    expect(clipped).toHaveLength(MAX_SHOWN_LENGTH)
    expect(clipped.endsWith('…')).toBe(true)
  })

  it('never splits a surrogate pair', () => {
    const clipped = clipText('😀'.repeat(10), 6)
    expect(clipped).toBe('😀😀…')
  })
})

describe('splitLinks', () => {
  it('finds http(s) and www links inside prose, leaving the punctuation around them as text', () => {
    expect(splitLinks('see https://status.im/docs. and (www.example.org/a_(b)) now!')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://status.im/docs', url: 'https://status.im/docs' },
      { kind: 'text', text: '. and (' },
      { kind: 'link', text: 'www.example.org/a_(b)', url: 'https://www.example.org/a_(b)' },
      { kind: 'text', text: ') now!' }
    ])
  })

  it('keeps markup as plain text', () => {
    expect(splitLinks('<img src=x onerror=alert(1)>')).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)>' }])
  })

  it('refuses other schemes, credentials and hosts that are not names or addresses', () => {
    expect(splitLinks('javascript:alert(1) file:///etc/passwd')).toEqual([{ kind: 'text', text: 'javascript:alert(1) file:///etc/passwd' }])
    expect(linkTarget('https://user:pw@example.org/')).toBeNull()
    expect(linkTarget('http://localhost:3000/')).toBeNull()
    expect(linkTarget('https://exa mple.org')).toBeNull()
    expect(linkTarget('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x')
    expect(linkTarget('HTTPS://Example.ORG')).toBe('https://example.org/')
  })

  it('drops unmatched closers and trailing punctuation together, keeping matched ones', () => {
    expect(splitLinks('(see https://a.org/x_(y)).)')[1]).toEqual({ kind: 'link', text: 'https://a.org/x_(y)', url: 'https://a.org/x_(y)' })
    expect(splitLinks('[https://a.org/x]')[1]).toEqual({ kind: 'link', text: 'https://a.org/x', url: 'https://a.org/x' })
  })

  it('returns the whole text when there is no link, and nothing for nothing', () => {
    expect(splitLinks('hello')).toEqual([{ kind: 'text', text: 'hello' }])
    expect(splitLinks('')).toEqual([])
  })
})
