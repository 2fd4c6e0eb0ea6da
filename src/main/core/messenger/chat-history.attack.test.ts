import { afterEach, describe, expect, it } from 'vitest'
import { type Message, methods } from '../../../shared/api'
import { outgoing, partsContext, testRecordKeys } from '../testing/messenger-parts'
import { ChatHistory } from './chat-history'
import { ChatList } from './chat-list'
import { Transaction } from './transaction'

/*
 * history.import is a page's call: whatever the contract lets through must not damage what main keeps.
 * A message the history cannot hold (a record that would not read back) is skipped, and the chat it names
 * survives a restart.
 */

let close: () => Promise<void> = async () => undefined
afterEach(() => close())

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

describe('history.import under attack', () => {
  const hostile: Array<[string, Partial<Message>]> = [
    ['a text longer than a stored message may be', { text: 'x'.repeat(70_000) }],
    ['an alias longer than a chat summary keeps', { author: { ...outgoing('a', 1).author, alias: 'A'.repeat(2_000) } }],
    ['a clock that is no integer', { clock: 1.5 }],
    ['a negative clock', { clock: -5 }],
    ['a time past any date', { timestamp: 1e300, receivedAt: 1e300 }],
    ['an id that is no message id', { id: 'not-an-id' }]
  ]

  it.each(hostile)('skips %s, and the chat survives a restart', async (_what, fields) => {
    const parts = await partsContext()
    close = parts.close
    const tx = new Transaction()
    parts.ctx.chats.add(tx, { id: 'a', kind: 'public', joinedAt: 1, lastClock: '0' })
    await tx.commit(parts.ctx.store)
    const history = new ChatHistory(parts.ctx, parts.feed)
    const good = outgoing('a', 2, { id: id(2), outgoing: false, status: 'received' })
    const bad = outgoing('a', 3, { id: id(3), outgoing: false, status: 'received', ...fields })
    const args = { messages: [good, bad] }
    expect(methods['history.import'].args.safeParse(args).success).toBe(true)

    const imported = await history.import(args.messages)
    const reloaded = await ChatList.load(parts.ctx.store, testRecordKeys(), () => undefined)
    expect(reloaded.get('a')).toMatchObject({ lastMessage: { text: 'message 2' } })
    expect(imported).toBe(1)
    expect((await history.read('a', { lower: null, upper: null }, 10)).messages.map((m) => m.id)).toEqual([id(2)])
  })
})
