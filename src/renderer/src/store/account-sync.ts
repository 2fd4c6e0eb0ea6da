import type { Message } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'
import type { AccountDatabase } from '../db/account-db'
import { storeChats, storeMessages } from '../db/message-updates'

/** Below the contract's bound of 10,000 ids per ack. */
const ACK_BATCH = 5_000

export interface SyncHooks {
  /** The chat the person is reading right now (open and visible), or null. */
  readingChatId(): string | null
  /** Incoming messages seen for the first time, after they are stored. */
  onFresh(messages: Message[]): void
  onError(error: unknown): void
}

export interface AccountSync {
  /** Settles when the start-up catch-up (chat list, pending updates) is stored. */
  ready: Promise<void>
  /** Settles when everything received so far is stored. */
  idle(): Promise<void>
  stop(): void
}

/**
 * Keeps one account's Dexie database in step with main. Every update is stored before it is acknowledged
 * (main forgets only what we hold), and all work runs one batch at a time in arrival order, so a status
 * change can never overtake the message it changes. Subscribing happens before the catch-up call, so
 * nothing falls between the two; whatever arrives twice is stored once.
 */
export function startAccountSync(client: HushClient, db: AccountDatabase, hooks: SyncHooks): AccountSync {
  let stopped = false
  let queue: Promise<void> = Promise.resolve()
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    queue = queue.then(() => (stopped ? undefined : task())).catch((error: unknown) => hooks.onError(error))
    return queue
  }
  const store = async (messages: Message[]): Promise<void> => {
    const { ids, fresh } = await storeMessages(db, messages, hooks.readingChatId())
    if (ids.length === 0) return
    for (let start = 0; start < ids.length; start += ACK_BATCH) void client.call('messages.ack', { ids: ids.slice(start, start + ACK_BATCH) })
    if (fresh.length > 0 && !stopped) hooks.onFresh(fresh)
  }

  const unsubscribe = [
    client.on('messages.upserted', ({ messages }) => void enqueue(() => store(messages))),
    client.on('chats.changed', ({ chats }) => void enqueue(() => storeChats(db, chats, { complete: false })))
  ]
  void enqueue(async () => {
    const chats = await client.call('chats.list', {})
    if (chats.ok) await storeChats(db, chats.value, { complete: true })
  })
  const ready = enqueue(async () => {
    const pending = await client.call('messages.pending', {})
    if (pending.ok) await store(pending.value)
  })

  return {
    ready,
    idle: () => queue,
    stop() {
      stopped = true
      for (const off of unsubscribe) off()
    }
  }
}
