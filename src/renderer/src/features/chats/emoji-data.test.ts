import emojis from 'emojibase-data/en/data.json'
import messages from 'emojibase-data/en/messages.json'
import { describe, expect, it } from 'vitest'
import { toPickerData, type EmojibaseEmoji, type EmojibaseMessages } from './emoji-data'
import { loadRecents, MAX_RECENTS, saveRecents, withRecent } from './emoji-recents'

const data = toPickerData(emojis as EmojibaseEmoji[], messages as EmojibaseMessages, 15)

describe('emoji data for the picker', () => {
  it('keeps emoji the bundled font draws, in their categories, with skin tones and search tags', () => {
    expect(data.categories.map((category) => category.label)).toEqual([
      'smileys & emotion',
      'people & body',
      'animals & nature',
      'food & drink',
      'travel & places',
      'activities',
      'objects',
      'symbols',
      'flags'
    ])
    expect(data.emojis.length).toBeGreaterThan(1800)
    expect(data.emojis.every((emoji) => emoji.version <= 15)).toBe(true)
    const wave = data.emojis.find((emoji) => emoji.emoji === '👋')
    expect(wave?.tags).toContain('hello')
    expect(wave?.skins?.dark).toBe('👋🏿')
    expect(data.emojis.find((emoji) => emoji.emoji === '🇫🇷')?.countryFlag).toBe(true)
    // Bare skin-tone swatches are components, not emoji to send.
    expect(data.emojis.some((emoji) => emoji.emoji === '🏽')).toBe(false)
  })
})

describe('recent emoji', () => {
  it('puts the latest first without repeats, and keeps a bounded list', () => {
    let recents: string[] = []
    for (const emoji of ['😀', '👍', '😀']) recents = withRecent(recents, emoji)
    expect(recents).toEqual(['😀', '👍'])
    for (let n = 0; n < 40; n++) recents = withRecent(recents, String.fromCodePoint(0x1f600 + n))
    expect(recents).toHaveLength(MAX_RECENTS)
  })

  it('ignores whatever else storage holds', () => {
    const storage = new Map<string, string>()
    const fake = { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) }
    saveRecents(['👍'], fake)
    expect(loadRecents(fake)).toEqual(['👍'])
    for (const junk of ['{', '{"a":1}', JSON.stringify(['x'.repeat(1000), 7, '🙂']), JSON.stringify(Array(1000).fill('🙂'))]) {
      storage.set('hush/emoji-recents', junk)
      expect(loadRecents(fake).length).toBeLessThanOrEqual(MAX_RECENTS)
      expect(loadRecents(fake).every((emoji) => emoji === '🙂')).toBe(true)
    }
  })
})
