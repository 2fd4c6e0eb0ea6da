import { afterEach, describe, expect, it } from 'vitest'
import { outgoing, partsContext } from '../testing/messenger-parts'
import { ChatHistory } from './chat-history'
import { Transaction } from './transaction'

let close: () => Promise<void> = async () => undefined
afterEach(() => close())

async function setUp() {
  const parts = await partsContext()
  close = parts.close
  const tx = new Transaction()
  parts.ctx.chats.add(tx, { id: 'a', kind: 'public', joinedAt: 1, lastClock: '0' })
  await tx.commit(parts.ctx.store)
  return { ...parts, history: new ChatHistory(parts.ctx, parts.feed) }
}

const incoming = (clock: number) => outgoing('a', clock, { outgoing: false, status: 'received', id: `0x${(1000 + clock).toString(16).padStart(64, '0')}` })

describe('ChatHistory', () => {
  it('counts unread incoming messages and moves the read point to the newest, once', async () => {
    const { ctx, feed, history } = await setUp()
    const tx = new Transaction()
    for (const clock of [1, 2, 3]) feed.storeNew(tx, incoming(clock))
    feed.storeNew(tx, outgoing('a', 4))
    await tx.commit(ctx.store)
    expect(ctx.chats.get('a')).toMatchObject({ unread: 3, lastMessage: { text: 'message 4', outgoing: true } })
    expect(await history.markRead('a')).toBe(0)
    expect(ctx.chats.get('a')).toMatchObject({ unread: 0, lastReadClock: 4 })
    expect(await history.markRead('a')).toBeNull()
    await expect(history.markRead('not-joined')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('keeps a draft until it is emptied', async () => {
    const { ctx, history } = await setUp()
    await history.setDraft('a', 'half a thought')
    expect(ctx.chats.get('a')?.draft).toBe('half a thought')
    await history.setDraft('a', '  ')
    expect(ctx.chats.get('a')).not.toHaveProperty('draft')
  })

  it('imports what an old renderer kept: only joined chats, only ids it lacks, as read', async () => {
    const { ctx, history } = await setUp()
    const kept = [incoming(1), incoming(2), outgoing('elsewhere', 3)]
    expect(await history.import(kept)).toBe(2)
    expect(await history.import(kept)).toBe(0)
    expect((await history.read('a', { lower: null, upper: null }, 10)).messages.map((m) => m.clock)).toEqual([1, 2])
    expect(ctx.chats.get('a')?.unread ?? 0).toBe(0)
    expect(ctx.chats.get('a')?.lastReadClock).toBe(2)
  })
})
