import { describe, expect, it } from 'vitest'
import { errorText, t } from './t'

describe('message catalog', () => {
  it('fills placeholders and plural forms', () => {
    expect(t('node.peers', { count: 0 })).toBe('No peers')
    expect(t('node.peers', { count: 1 })).toBe('1 peer')
    expect(t('node.peers', { count: 4 })).toBe('4 peers')
    expect(t('about.version', { version: '1.0', runtime: 'web' })).toBe('Version 1.0 · web')
  })

  it('has a message for every API error', () => {
    expect(errorText({ code: 'TIMEOUT', message: 'x' })).toMatch(/too long/)
    expect(errorText({ code: 'NOT_FOUND', message: 'account' })).toBe('Not found: account')
  })
})
