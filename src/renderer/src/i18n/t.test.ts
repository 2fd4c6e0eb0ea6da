import { describe, expect, it } from 'vitest'
import { ErrorCode, ErrorReason } from '../../../shared/api'
import { en } from './en'
import { errorText, t } from './t'

describe('message catalog', () => {
  it('fills placeholders and plural forms', () => {
    expect(t('node.peers', { count: 0 })).toBe('No peers')
    expect(t('node.peers', { count: 1 })).toBe('1 peer')
    expect(t('node.peers', { count: 4 })).toBe('4 peers')
    expect(t('node.state.connected', { count: 3 })).toBe('Connected · 3 peers')
    expect(t('about.version', { version: '1.0', runtime: 'web' })).toBe('Version 1.0 · web')
  })

  it('says every error code in a sentence of its own, never main’s log message', () => {
    for (const code of ErrorCode.options) {
      const text = errorText({ code, message: 'handler failed: ENOENT /tmp/x' })
      expect(text).not.toContain('ENOENT')
      expect(text).toMatch(/^[A-Z].*\.$/)
    }
  })

  it('says every reason main can give in words, with its parameters filled', () => {
    for (const option of ErrorReason.options) {
      const reason = option.shape.reason.value
      const text = errorText({ code: 'BAD_REQUEST', message: 'x', reason: { reason, max: 7 } as ErrorReason })
      expect(text, reason).toMatch(/^[A-Z].*\.$/)
      expect(text, reason).not.toMatch(/[{}]/)
    }
    expect(errorText({ code: 'BAD_REQUEST', message: 'x', reason: { reason: 'CHAT_NAME_TOO_LONG', max: 255 } })).toBe(
      'A chat name can have at most 255 characters.'
    )
  })

  it('has no prefix sentences or placeholders for main’s prose', () => {
    for (const [key, text] of Object.entries(en)) {
      expect(text, key).not.toContain('{message}')
      expect(text, key).not.toMatch(/not valid:/)
    }
  })
})
