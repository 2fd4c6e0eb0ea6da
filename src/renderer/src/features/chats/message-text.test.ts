import { describe, expect, it } from 'vitest'
import { linkTarget, splitLinks } from './message-text'

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

  it('returns the whole text when there is no link, and nothing for nothing', () => {
    expect(splitLinks('hello')).toEqual([{ kind: 'text', text: 'hello' }])
    expect(splitLinks('')).toEqual([])
  })
})
