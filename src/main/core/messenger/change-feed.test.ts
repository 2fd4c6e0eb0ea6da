import { afterEach, describe, expect, it } from 'vitest'
import type { Chat } from '../../../shared/api'
import { outgoing, partsContext } from '../testing/messenger-parts'
import { Transaction } from './transaction'

let close: () => Promise<void> = async () => undefined
afterEach(() => close())

describe('ChangeFeed', () => {
  it('announces the chats a transaction changed once, after it commits, with their summaries', async () => {
    const parts = await partsContext()
    close = parts.close
    const { ctx, feed, events } = parts
    const setup = new Transaction()
    for (const id of ['a', 'b']) ctx.chats.add(setup, { id, kind: 'public', joinedAt: 1, lastClock: '0' })
    await setup.commit(ctx.store)

    const tx = new Transaction()
    feed.storeNew(tx, outgoing('a', 1))
    feed.storeNew(tx, outgoing('a', 2))
    feed.storeNew(tx, outgoing('b', 3))
    expect(events).toEqual([])
    await tx.commit(ctx.store)
    const chats = events.map(([name, payload]) => [name, (payload as { chats: Chat[] }).chats.map((c) => [c.id, c.lastMessage?.text])])
    expect(chats).toEqual([['chats.changed', [['a', 'message 2'], ['b', 'message 3']]]])
  })

})
