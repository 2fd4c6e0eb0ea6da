import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { message, publicChat } from '../testing/fixtures'
import { AccountDatabase } from './account-db'
import { clipStoredTexts, deleteChatHistory, markChatRead, mergeStatus, storeChats, storeMessages } from './message-updates'

let db: AccountDatabase
let n = 0
beforeEach(() => {
  db = new AccountDatabase(`updates-${++n}`)
})
afterEach(async () => {
  await db.delete()
})

describe('clipStoredTexts', () => {
  it('cuts stored texts longer than shown down in place and leaves the rest alone', async () => {
    const long = message({ clock: 1, text: 'x'.repeat(1024 * 1024) })
    const short = message({ clock: 2 })
    await db.messages.bulkPut([long, short])
    await clipStoredTexts(db, [long, short], 100, (text) => `${text.slice(0, 99)}…`)
    expect((await db.messages.get(long.id))?.text).toBe(`${'x'.repeat(99)}…`)
    expect(await db.messages.get(short.id)).toEqual(short)
  })
})

describe('mergeStatus', () => {
  it('never downgrades delivered or sent, and lets a resend restart a failed message', () => {
    expect(mergeStatus('delivered', 'sent')).toBe('delivered')
    expect(mergeStatus('delivered', 'sending')).toBe('delivered')
    expect(mergeStatus('sent', 'sending')).toBe('sent')
    expect(mergeStatus('sent', 'delivered')).toBe('delivered')
    expect(mergeStatus('sending', 'sent')).toBe('sent')
    expect(mergeStatus('not-sent', 'sending')).toBe('sending')
    expect(mergeStatus('sent', 'not-sent')).toBe('not-sent')
    expect(mergeStatus('received', 'sent')).toBe('received')
    expect(mergeStatus('sent', 'waiting')).toBe('sent')
    expect(mergeStatus('sending', 'waiting')).toBe('waiting')
    expect(mergeStatus('waiting', 'sent')).toBe('sent')
  })
})

describe('storeMessages', () => {
  it('stores each message once however often it arrives, and reports only first sightings as fresh', async () => {
    const a = message({ clock: 1 })
    const b = message({ clock: 2 })
    const first = await storeMessages(db, [a, b, a], null)
    expect(first.ids).toEqual([a.id, b.id])
    expect(first.fresh.map((m) => m.id)).toEqual([a.id, b.id])
    const again = await storeMessages(db, [b, a], null)
    expect(again.ids).toEqual([b.id, a.id])
    expect(again.fresh).toEqual([])
    expect(await db.messages.count()).toBe(2)
    expect((await db.chats.get('hush-test'))?.unread).toBe(2)
  })

  it('keeps delivered when a late "sent" arrives, and the first receivedAt', async () => {
    const sent = message({ clock: 5, outgoing: true, status: 'sent', receivedAt: 100 })
    await storeMessages(db, [{ ...sent, status: 'delivered' }], null)
    await storeMessages(db, [{ ...sent, status: 'sent', receivedAt: 999 }], null)
    const stored = await db.messages.get(sent.id)
    expect(stored?.status).toBe('delivered')
    expect(stored?.receivedAt).toBe(100)
  })

  it('applies a batch in journal order: sending then not-sent ends not-sent', async () => {
    const m = message({ clock: 3, outgoing: true, status: 'sending' })
    await storeMessages(db, [m, { ...m, status: 'not-sent' }], null)
    expect((await db.messages.get(m.id))?.status).toBe('not-sent')
  })

  it('counts unread incoming messages except in the chat being read, whose read point moves instead', async () => {
    await storeChats(db, [publicChat('a'), publicChat('b')], { complete: true })
    await storeMessages(
      db,
      [message({ chatId: 'a', clock: 1 }), message({ chatId: 'a', clock: 2 }), message({ chatId: 'a', clock: 3, outgoing: true, status: 'sent' }), message({ chatId: 'b', clock: 7 })],
      'b'
    )
    const a = await db.chats.get('a')
    const b = await db.chats.get('b')
    expect(a?.unread).toBe(2)
    expect(a?.lastMessage).toMatchObject({ clock: 3, outgoing: true })
    expect(b?.unread).toBe(0)
    expect(b?.lastReadClock).toBe(7)
  })

  it('does not count old history below the read point as unread', async () => {
    await storeMessages(db, [message({ clock: 10 })], 'hush-test')
    await storeMessages(db, [message({ clock: 4 }), message({ clock: 12 })], null)
    const summary = await db.chats.get('hush-test')
    expect(summary?.unread).toBe(1)
    expect(summary?.lastMessage?.clock).toBe(12)
  })

  it('creates a summary for a 1:1 chat first seen through an incoming message, named by the sender', async () => {
    const m = message({ chatId: '0x04aa', chatKind: 'one-to-one', clock: 1 })
    await storeMessages(db, [m], null)
    expect(await db.chats.get('0x04aa')).toMatchObject({ kind: 'one-to-one', name: m.author.alias, unread: 1 })
  })

  it('sorts by activity without letting a sender clock from the future win', async () => {
    await storeMessages(db, [message({ chatId: 'x', clock: 1, timestamp: 9e12, receivedAt: 2000 })], null)
    expect((await db.chats.get('x'))?.lastActivity).toBe(2000)
  })
})

describe('storeChats', () => {
  it('keeps counters when main re-lists a chat, and drops chats main no longer lists on a full list only', async () => {
    await storeChats(db, [publicChat('a'), publicChat('b')], { complete: true })
    await storeMessages(db, [message({ chatId: 'a', clock: 1 })], null)
    await storeChats(db, [publicChat('c')], { complete: false })
    expect((await db.chats.toArray()).map((c) => c.chatId).sort()).toEqual(['a', 'b', 'c'])
    await storeChats(db, [publicChat('a')], { complete: true })
    const all = await db.chats.toArray()
    expect(all.map((c) => c.chatId)).toEqual(['a'])
    expect(all[0]?.unread).toBe(1)
    expect(await db.messages.count()).toBe(1)
  })
})

describe('markChatRead and deleteChatHistory', () => {
  it('returns the previous read point and clears the badge; with nothing unread there is no divider', async () => {
    await storeMessages(db, [message({ clock: 1 })], 'hush-test')
    await storeMessages(db, [message({ clock: 2 }), message({ clock: 3 })], null)
    expect(await markChatRead(db, 'hush-test')).toBe(1)
    expect(await db.chats.get('hush-test')).toMatchObject({ unread: 0, lastReadClock: 3 })
    expect(await markChatRead(db, 'hush-test')).toBe(Infinity)
    expect(await markChatRead(db, 'no-such-chat')).toBe(Infinity)
  })

  it('removes one chat and leaves the others', async () => {
    await storeMessages(db, [message({ chatId: 'a', clock: 1 }), message({ chatId: 'b', clock: 1 })], null)
    await db.drafts.put({ chatId: 'a', text: 'hi' })
    await deleteChatHistory(db, 'a')
    expect((await db.messages.toArray()).map((m) => m.chatId)).toEqual(['b'])
    expect(await db.chats.get('a')).toBeUndefined()
    expect(await db.drafts.get('a')).toBeUndefined()
  })
})
