import { describe, expect, it } from 'vitest'
import { receivedDisplayName } from './display-name'

describe('receivedDisplayName', () => {
  it('keeps an ordinary name, trimmed', () => {
    expect(receivedDisplayName('  Bob  ')).toEqual({ ok: true, name: 'Bob' })
    expect(receivedDisplayName('José 🙂')).toEqual({ ok: true, name: 'José 🙂' })
  })

  it('strips control and bidi-override characters', () => {
    expect(receivedDisplayName('B\u0000o\u0007b\n')).toEqual({ ok: true, name: 'Bob' })
    expect(receivedDisplayName('\u202eboB\u202c')).toEqual({ ok: true, name: 'boB' })
    expect(receivedDisplayName('A\u0085\u009fB')).toEqual({ ok: true, name: 'AB' })
  })

  it('reads empty or control-only text as no name', () => {
    expect(receivedDisplayName('')).toEqual({ ok: true, name: '' })
    expect(receivedDisplayName('\u0001\u0002 ')).toEqual({ ok: true, name: '' })
  })

  it('counts characters, not UTF-16 units, and refuses more than 64', () => {
    expect(receivedDisplayName('🙂'.repeat(64))).toEqual({ ok: true, name: '🙂'.repeat(64) })
    expect(receivedDisplayName('a'.repeat(65))).toEqual({ ok: false, reason: 'TOO_LONG' })
    // Controls do not count towards the limit: they are gone before it is checked.
    expect(receivedDisplayName('a'.repeat(64) + '\u0000'.repeat(10))).toEqual({ ok: true, name: 'a'.repeat(64) })
  })
})
