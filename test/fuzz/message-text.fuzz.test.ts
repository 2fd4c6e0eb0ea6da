import assert from 'node:assert/strict'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { linkTarget, splitLinks } from '../../src/renderer/src/features/chats/message-text'
import { assertProperty } from './harness'

/** Prose with the pieces link detection cares about: schemes, brackets, trailing punctuation, odd hosts. */
const token = fc.oneof(
  fc.constantFrom('https://', 'http://', 'www.', 'HTTPS://', 'ftp://', 'javascript:', 'a.org', 'x.io/p', '@', 'user:pw@', '[::1]', '1.2.3.4', ':8080'),
  fc.constantFrom('(', ')', '[', ']', '.', ',', ';', ':', '!', '?', "'", '"', '»', '<', '>', ' ', '\n', '\t', '/', '#', '%', '\u00a0', '\u200b'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 3 })
)
const prose = fc.oneof(fc.array(token, { maxLength: 40 }).map((parts) => parts.join('')), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }))

describe('message text formatting', () => {
  it('never throws, covers the text exactly, and links only what linkTarget accepts', () => {
    assertProperty('splitLinks', 3000, fc.property(prose, (text) => {
      const parts = splitLinks(text)
      assert.equal(parts.map((p) => p.text).join(''), text)
      for (const part of parts) {
        assert.ok(part.text.length > 0)
        if (part.kind === 'link') {
          assert.equal(linkTarget(part.text), part.url)
          assert.match(new URL(part.url).protocol, /^https?:$/)
        }
      }
    }))
  })

  it('linkTarget never throws and returns only credential-free http(s) URLs', () => {
    assertProperty('linkTarget', 3000, fc.property(prose, (text) => {
      const url = linkTarget(text)
      if (url !== null) {
        const parsed = new URL(url)
        assert.match(parsed.protocol, /^https?:$/)
        assert.equal(parsed.username + parsed.password, '')
      }
    }))
  })
})
