import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventName, EventPayload, Message, MethodName } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'
import { AccountDatabase } from '../db/account-db'
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
  const acked = () => calls.filter((c) => c.method === 'messages.ack').flatMap((c) => (c.args as { ids: string[] }).ids)
  return { client, calls, emit, acked, listening: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0) }
}

let db: AccountDatabase
let n = 0
beforeEach(() => {
  db = new AccountDatabase(`sync-${++n}`)
})
afterEach(async () => {
  await db.delete()
})

const hooks = (fresh: Message[][] = [], reading: string | null = null) => ({
  readingChatId: () => reading,
  onFresh: (messages: Message[]) => fresh.push(messages),
  onError: (error: unknown) => {
    throw error
  }
})

describe('account sync', () => {
  it('stores the chat list and pending updates at start, then acknowledges exactly what it stored', async () => {
    const pending = [message({ clock: 1 }), message({ clock: 2 })]
    const fake = fakeClient({ 'chats.list': [publicChat('hush-test')], 'messages.pending': pending, 'messages.ack': {} })
    const sync = startAccountSync(fake.client, db, hooks())
    await sync.ready
    expect(await db.messages.count()).toBe(2)
    expect(fake.acked()).toEqual(pending.map((m) => m.id))
    expect(fake.calls.map((c) => c.method)).toEqual(['chats.list', 'messages.pending', 'messages.ack'])
    sync.stop()
  })

  it('stores live updates in arrival order, acks each batch, and reports fresh incoming messages once', async () => {
    const fake = fakeClient({ 'chats.list': [], 'messages.pending': [], 'messages.ack': {} })
    const fresh: Message[][] = []
    const sync = startAccountSync(fake.client, db, hooks(fresh))
    await sync.ready
    const mine = message({ clock: 3, outgoing: true, status: 'sending' })
    const theirs = message({ clock: 4 })
    fake.emit('messages.upserted', { messages: [mine, theirs] })
    fake.emit('messages.upserted', { messages: [{ ...mine, status: 'sent' }] })
    fake.emit('messages.upserted', { messages: [{ ...mine, status: 'delivered' }, theirs] })
    fake.emit('chats.changed', { chats: [publicChat('other')] })
    await sync.idle()
    expect((await db.messages.get(mine.id))?.status).toBe('delivered')
    expect(fresh.map((batch) => batch.map((m) => m.id))).toEqual([[theirs.id]])
    expect(fake.acked()).toEqual([mine.id, theirs.id, mine.id, mine.id, theirs.id])
    expect(await db.chats.get('other')).toBeDefined()
    sync.stop()
  })

  it('keeps working with a main that does not know the chat methods yet, and stops listening on stop', async () => {
    const fake = fakeClient({})
    const sync = startAccountSync(fake.client, db, hooks())
    await sync.ready
    expect(await db.messages.count()).toBe(0)
    expect(fake.listening()).toBe(2)
    sync.stop()
    expect(fake.listening()).toBe(0)
  })
})
