import type { Chat, MessageChange } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'

export interface SyncHooks {
  /** The chat the person is reading right now (open and visible), or null. */
  readingChatId(): string | null
  /** The chat list after every change, most recently active first. */
  onChats(chats: Chat[]): void
  /** Chats whose stored messages changed: windows onto them read again. */
  onMessages(chatIds: ReadonlySet<string>): void
  /** Incoming messages seen for the first time, outside the chat being read. */
  onFresh(messages: MessageChange[]): void
  onError(error: unknown): void
}

export interface AccountSync {
  /** Settles when the chat list has arrived. */
  ready: Promise<void>
  /** Settles when every event received so far is applied. */
  idle(): Promise<void>
  /** Marks a chat read in main; what changes comes back as chats.changed. */
  markRead(chatId: string): Promise<number | null>
  stop(): void
}

/** Most recently active first; ties by name so the order is stable. */
export function sortChats(chats: Iterable<Chat>): Chat[] {
  return [...chats].sort((a, b) => b.lastActivity - a.lastActivity || a.name.localeCompare(b.name))
}

/**
 * The renderer's replica of one account: the chat summaries, kept in memory and in step with main, which
 * owns every message. Nothing is written to the browser's storage, so nothing readable stays behind after
 * a lock or quit, and a new port, browser or profile starts from main's copy. Events are applied one at a
 * time in arrival order; subscribing happens before the list is asked for, so nothing falls in between.
 */
export function startAccountSync(client: HushClient, hooks: SyncHooks): AccountSync {
  let stopped = false
  const chats = new Map<string, Chat>()
  let queue: Promise<void> = Promise.resolve()
  const enqueue = (task: () => Promise<void> | void): Promise<void> => {
    queue = queue.then(() => (stopped ? undefined : task())).catch((error: unknown) => hooks.onError(error))
    return queue
  }
  const publish = () => hooks.onChats(sortChats(chats.values()))
  const markRead = async (chatId: string): Promise<number | null> => {
    const result = await client.call('chats.markRead', { chatId })
    return result.ok ? result.value.previousReadClock : null
  }

  const unsubscribe = [
    client.on('chats.changed', (change) =>
      void enqueue(() => {
        for (const chat of change.chats) chats.set(chat.id, chat)
        for (const id of change.removed) chats.delete(id)
        publish()
      })
    ),
    client.on('messages.upserted', ({ messages }) =>
      void enqueue(async () => {
        hooks.onMessages(new Set(messages.map((message) => message.chatId)))
        const fresh = messages.filter((message) => !message.outgoing && message.status === 'received' && !message.system)
        const reading = hooks.readingChatId()
        if (reading !== null && fresh.some((message) => message.chatId === reading)) await markRead(reading)
        const unseen = fresh.filter((message) => message.chatId !== reading)
        if (unseen.length > 0) hooks.onFresh(unseen)
      })
    )
  ]
  const ready = enqueue(async () => {
    const list = await client.call('chats.list', {})
    if (!list.ok) throw new Error(list.error.message)
    chats.clear()
    for (const chat of list.value) chats.set(chat.id, chat)
    publish()
  })

  return {
    ready,
    idle: () => queue,
    markRead,
    stop() {
      stopped = true
      for (const off of unsubscribe) off()
      chats.clear()
    }
  }
}
