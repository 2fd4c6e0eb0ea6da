import { describe, expect, it } from 'vitest'
import { checkPublicChatName, MAX_PUBLIC_CHAT_NAME_LENGTH, publicChatNameFromInput } from './public-chat-name'

describe('public chat names', () => {
  it('accepts lowercase letters, digits and dashes', () => {
    for (const name of ['status', 'test', 'a', 'crypto-2020', '-', '0']) {
      expect(checkPublicChatName(name)).toEqual({ ok: true, name })
    }
  })

  it('rejects each broken rule with its own problem code and a message', () => {
    const cases: Array<[string, string]> = [
      ['', 'EMPTY'],
      ['Status', 'INVALID_CHARACTERS'],
      ['hello world', 'INVALID_CHARACTERS'],
      ['#status', 'INVALID_CHARACTERS'],
      ['emoji-😀', 'INVALID_CHARACTERS'],
      ['under_score', 'INVALID_CHARACTERS'],
      ['x'.repeat(MAX_PUBLIC_CHAT_NAME_LENGTH + 1), 'TOO_LONG'],
      ['0x04' + 'ab'.repeat(64), 'LOOKS_LIKE_PUBLIC_KEY']
    ]
    for (const [name, problem] of cases) {
      expect(checkPublicChatName(name), name).toMatchObject({ ok: false, problem, message: expect.stringMatching(/\w/) })
    }
  })

  it('takes a typed "#name" with spaces', () => {
    expect(publicChatNameFromInput('  #status ')).toEqual({ ok: true, name: 'status' })
    expect(publicChatNameFromInput('#')).toMatchObject({ ok: false, problem: 'EMPTY' })
  })
})
