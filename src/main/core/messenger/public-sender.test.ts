import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PUBLIC_SEND_TIMEOUT_MS, PublicSender } from './public-sender'
import { outgoing, partsContext } from '../testing/messenger-parts'
import { Transaction } from './transaction'

let close: () => Promise<void> = async () => undefined
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
})
afterEach(async () => {
  vi.useRealTimers()
  await close()
})

async function setUp(peers: { count: number }) {
  const posted: string[] = []
  const parts = await partsContext({
    peerCount: () => peers.count,
    postPublic: async (name: string) => {
      posted.push(name)
      return peers.count
    }
  })
  close = parts.close
  const sender = new PublicSender(parts.ctx, parts.status)
  const message = outgoing('hush-test', 1)
  const entry = { message, wrapper: '0102' }
  const tx = new Transaction()
  parts.ctx.outbox.put(tx, entry)
  await tx.commit(parts.ctx.store)
  return { ...parts, sender, entry, posted }
}

describe('PublicSender', () => {
  it('counts a message sent once a peer has it', async () => {
    const { sender, entry, ctx, posted } = await setUp({ count: 1 })
    await sender.post(entry)
    expect(posted).toEqual(['hush-test'])
    expect(ctx.outbox.get(entry.message.id)).toBeUndefined()
    expect((await ctx.messages.get(entry.message.id))?.status).toBe('sent')
  })

  it('with no peer, waits: a peer that connects in time gets it, else it is given up as not-sent', async () => {
    const peers = { count: 0 }
    const { sender, entry, ctx, posted } = await setUp(peers)
    await sender.post(entry)
    expect(ctx.outbox.get(entry.message.id)?.message.status).toBe('waiting')
    await vi.advanceTimersByTimeAsync(PUBLIC_SEND_TIMEOUT_MS - 1)
    peers.count = 1
    sender.retryWaiting()
    await vi.waitFor(() => expect(ctx.outbox.get(entry.message.id)).toBeUndefined())
    expect(posted).toEqual(['hush-test', 'hush-test'])
    // Its give-up timer went with it.
    await vi.advanceTimersByTimeAsync(PUBLIC_SEND_TIMEOUT_MS)
    expect((await ctx.messages.get(entry.message.id))?.status).toBe('sent')
  })

  it('gives a message up after the timeout when no peer turns up', async () => {
    const { sender, entry, ctx } = await setUp({ count: 0 })
    await sender.post(entry)
    await vi.advanceTimersByTimeAsync(PUBLIC_SEND_TIMEOUT_MS)
    await vi.waitFor(() => expect(ctx.outbox.get(entry.message.id)?.message.status).toBe('not-sent'))
  })
})
