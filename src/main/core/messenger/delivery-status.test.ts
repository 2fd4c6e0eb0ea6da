import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/api'
import { outgoing, partsContext } from '../testing/messenger-parts'
import { Transaction } from './transaction'

const OPEN = { lower: null, upper: null }
let close: () => Promise<void> = async () => undefined
afterEach(() => close())

describe('DeliveryStatus', () => {
  it('keeps a message in the outbox until its final state, mirrors each state into the history, and announces after commit', async () => {
    const parts = await partsContext()
    close = parts.close
    const { ctx, status, events } = parts
    const direct = outgoing(`0x04${'cd'.repeat(64)}`, 1)
    const publicOne = outgoing('hush-test', 2)
    const tx = new Transaction()
    for (const message of [direct, publicOne]) {
      ctx.outbox.put(tx, { message, wrapper: '00' })
      ctx.messages.put(tx, message)
    }
    await tx.commit(ctx.store)

    await status.set([direct.id, publicOne.id], 'sent')
    expect(ctx.outbox.get(direct.id)?.message.status).toBe('sent')
    expect(ctx.outbox.get(publicOne.id)).toBeUndefined()
    expect((await ctx.messages.get(publicOne.id))?.status).toBe('sent')
    expect(events.map(([name, payload]) => [name, (payload as { messages: Message[] }).messages.map((m) => m.status)])).toEqual([['messages.upserted', ['sent', 'sent']]])

    // The same state again is no change and no event.
    await status.set([direct.id], 'sent')
    expect(events).toHaveLength(1)

    await status.set([direct.id], 'delivered')
    expect(ctx.outbox.get(direct.id)).toBeUndefined()
    expect((await ctx.messages.read(direct.chatId, OPEN, 10)).messages.map((m) => m.status)).toEqual(['delivered'])
  })

  it('stages into a transaction without touching memory until it commits', async () => {
    const parts = await partsContext()
    close = parts.close
    const { ctx, status } = parts
    const message = outgoing('hush-test', 3)
    const setup = new Transaction()
    ctx.outbox.put(setup, { message, wrapper: '00' })
    await setup.commit(ctx.store)

    const tx = new Transaction()
    const updates: Message[] = []
    status.stage(tx, [message.id], 'not-sent', updates)
    expect(ctx.outbox.get(message.id)?.message.status).toBe('sending')
    expect(ctx.outbox.get(message.id, tx)?.message.status).toBe('not-sent')
    await tx.commit(ctx.store)
    expect(ctx.outbox.get(message.id)?.message.status).toBe('not-sent')
    expect(updates.map((m) => m.status)).toEqual(['not-sent'])
  })
})
