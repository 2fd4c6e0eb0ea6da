import { describe, expect, it } from 'vitest'
import type { Chat, EventName, EventPayload, Message, MethodName } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'
import { message, publicChat } from '../testing/fixtures'
import { startAccountSync } from './account-sync'

/** A client whose answers the test sets, recording every call and letting the test push events. */
function fakeClient(answers: Partial<Record<MethodName, unknown>>) {
  const calls: Array<{ method: string; args: unknown }> = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const client = {
    async call(method: MethodName, args: unknown) {
      calls.push({ method, args })
      return method in answers ? { ok: true, value: answers[method] } : { ok: false, error: { code: 'UNKNOWN_METHOD', message: method } }
    },
    on(event: EventName, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => set.delete(listener)
    }
  } as unknown as HushClient
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    for (const listener of listeners.get(event) ?? []) listener(payload)
  }
  return { client, calls, emit, listening: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0) }
}

function recorder(reading: string | null = null) {
  const seen = { chats: [] as string[][], changed: [] as string[][], fresh: [] as string[][] }
  const hooks = {
    readingChatId: () => reading,
    onChats: (chats: Chat[]) => seen.chats.push(chats.map((c) => c.id)),
    onMessages: (ids: ReadonlySet<string>) => seen.changed.push([...ids]),
    onFresh: (messages: Message[]) => seen.fresh.push(messages.map((m) => m.id)),
    onError: (error: unknown) => {
      throw error
    }
  }
  return { seen, hooks }
}

describe('account sync', () => {
  it("starts from main's chat list, most recently active first", async () => {
    const fake = fakeClient({ 'chats.list': [publicChat('old', 1), publicChat('new', 5)] })
    const { seen, hooks } = recorder()
    const sync = startAccountSync(fake.client, hooks)
    await sync.ready
    expect(seen.chats).toEqual([['new', 'old']])
    sync.stop()
  })

  it('applies chat deltas in arrival order and names the chats whose messages changed', async () => {
    const fake = fakeClient({ 'chats.list': [publicChat('a', 1)] })
    const { seen, hooks } = recorder()
    const sync = startAccountSync(fake.client, hooks)
    await sync.ready
    fake.emit('chats.changed', { chats: [publicChat('b', 2)], removed: [] })
    fake.emit('chats.changed', { chats: [], removed: ['a'] })
    const mine = message({ chatId: 'b', clock: 3, outgoing: true, status: 'sending' })
    const theirs = message({ chatId: 'b', clock: 4 })
    fake.emit('messages.upserted', { messages: [mine, theirs] })
    fake.emit('messages.upserted', { messages: [{ ...mine, status: 'sent' }] })
    await sync.idle()
    expect(seen.chats).toEqual([['a'], ['b', 'a'], ['b']])
    expect(seen.changed).toEqual([['b'], ['b']])
    // A status change is no news; an incoming message is, once.
    expect(seen.fresh).toEqual([[theirs.id]])
    sync.stop()
  })

  it('marks the chat being read as read in main instead of reporting its messages as fresh', async () => {
    const fake = fakeClient({ 'chats.list': [publicChat('a', 1)], 'chats.markRead': { previousReadClock: null } })
    const { seen, hooks } = recorder('a')
    const sync = startAccountSync(fake.client, hooks)
    await sync.ready
    fake.emit('messages.upserted', { messages: [message({ chatId: 'a', clock: 1 }), message({ chatId: 'other', clock: 1 })] })
    await sync.idle()
    expect(fake.calls.filter((c) => c.method === 'chats.markRead').map((c) => c.args)).toEqual([{ chatId: 'a' }])
    expect(seen.fresh).toEqual([[message({ chatId: 'other', clock: 1 }).id]])
    sync.stop()
  })

  it('reports a main that cannot list chats, and stops listening on stop', async () => {
    const fake = fakeClient({})
    const errors: unknown[] = []
    const sync = startAccountSync(fake.client, { ...recorder().hooks, onError: (error) => errors.push(error) })
    await sync.ready
    expect(errors).toHaveLength(1)
    expect(fake.listening()).toBe(2)
    sync.stop()
    expect(fake.listening()).toBe(0)
  })
})
