import { describe, expect, it } from 'vitest'
import { safeExternalUrl } from './external-url'

describe('safeExternalUrl', () => {
  it('accepts http and https links and normalises them', () => {
    expect(safeExternalUrl('https://status.im/docs')).toBe('https://status.im/docs')
    expect(safeExternalUrl(' http://EXAMPLE.org ')).toBe('http://example.org/')
  })

  it('refuses other schemes, credentials and garbage', () => {
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'hush://app/x', 'https://user:pw@example.org', 'not a url', '']) {
      expect(safeExternalUrl(bad)).toBeNull()
    }
  })
})
