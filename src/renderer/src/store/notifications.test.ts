import { describe, expect, it } from 'vitest'
import { author, message } from '../testing/fixtures'
import { notificationTexts } from './notifications'

const title = (chatId: string) => (chatId.startsWith('0x') ? 'Person 2' : `#${chatId}`)

describe('notificationTexts', () => {
  const batch = [
    message({ chatId: 'hush-test', clock: 1, text: 'first' }),
    message({ chatId: 'hush-test', clock: 2, text: 'second' }),
    message({ chatId: '0x04bb', chatKind: 'one-to-one', clock: 1, text: 'psst', author: author(2) })
  ]

  it('makes one notification per chat, about its newest message, with the sender and text', () => {
    expect(notificationTexts(batch, title, true)).toEqual([
      { chatId: 'hush-test', title: '#hush-test', body: 'Person 1: second' },
      { chatId: '0x04bb', title: 'Person 2', body: 'psst' }
    ])
  })

  it('names the sender in a private group, as in a public chat', () => {
    const group = message({ chatId: 'uuid-0x04aa', chatKind: 'group', clock: 5, text: 'see you at the ridge', author: author(2) })
    expect(notificationTexts([group], () => 'Hikers', true)).toEqual([{ chatId: 'uuid-0x04aa', title: 'Hikers', body: 'Person 2: see you at the ridge' }])
  })

  it('with content hidden, shows only who wrote: no text, no chat name', () => {
    const texts = notificationTexts(batch, title, false)
    expect(texts).toEqual([
      { chatId: 'hush-test', title: 'Hush', body: 'New message from Person 1' },
      { chatId: '0x04bb', title: 'Hush', body: 'New message from Person 2' }
    ])
    expect(texts.map((text) => `${text.title} ${text.body}`).join(' ')).not.toMatch(/second|psst|hush-test/)
  })
})
