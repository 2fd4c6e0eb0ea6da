import { describe, expect, it } from 'vitest'
import { ApiError } from './result'

describe('error reasons on the wire', () => {
  it('keeps a known reason with its typed parameters', () => {
    const parsed = ApiError.parse({ code: 'BAD_REQUEST', message: 'log text', reason: { reason: 'CHAT_NAME_TOO_LONG', max: 255 } })
    expect(parsed.reason).toEqual({ reason: 'CHAT_NAME_TOO_LONG', max: 255 })
  })

  it('drops a reason it does not know, or one with bad parameters, and keeps the error', () => {
    for (const reason of [{ reason: 'FROM_A_NEWER_HOST' }, { reason: 'CHAT_NAME_TOO_LONG', max: '<img src=x>' }, 'OWN_CHAT_KEY', null]) {
      const parsed = ApiError.parse({ code: 'BAD_REQUEST', message: 'log text', reason })
      expect(parsed).toEqual({ code: 'BAD_REQUEST', message: 'log text' })
    }
  })
})
