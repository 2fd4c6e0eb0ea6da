import { describe, expect, it } from 'vitest'
import { APP_PAGE_URL, isAppFrameUrl } from './app-origin'

describe('isAppFrameUrl', () => {
  it('accepts the production page, which has an opaque URL#origin in Node', () => {
    // The reason the check compares scheme and host: this is the string "null", not "hush://app".
    expect(new URL(APP_PAGE_URL).origin).toBe('null')
    expect(isAppFrameUrl(APP_PAGE_URL)).toBe(true)
    expect(isAppFrameUrl('hush://app/')).toBe(true)
    expect(isAppFrameUrl('hush://app')).toBe(true)
    expect(isAppFrameUrl('hush://app/index.html#/chats/abc?x=1')).toBe(true)
  })

  it('refuses every other scheme, host or opaque origin', () => {
    for (const url of [
      'hush://evil/index.html',
      'hush://app.evil/index.html',
      'hush://APP/index.html',
      'hush://user:pw@app/index.html',
      'hush:app/index.html',
      'hushx://app/index.html',
      'http://app/index.html',
      'https://app/index.html',
      'file:///index.html',
      'data:text/html,hi',
      'about:blank',
      'null',
      'evil://x/',
      'not a url',
      ''
    ]) {
      expect(isAppFrameUrl(url), url).toBe(false)
    }
  })

  it('with a dev server, accepts exactly its scheme, host and port instead', () => {
    const dev = 'http://localhost:5173/'
    expect(isAppFrameUrl('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isAppFrameUrl('http://localhost:5173', dev)).toBe(true)
    for (const url of ['http://localhost:5174/', 'https://localhost:5173/', 'http://127.0.0.1:5173/', APP_PAGE_URL, 'http://u@localhost:5173/']) {
      expect(isAppFrameUrl(url, dev), url).toBe(false)
    }
  })
})
