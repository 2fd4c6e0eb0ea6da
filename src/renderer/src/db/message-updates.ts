import type { Chat, Message, MessageStatus } from '../../../shared/api'
import type { AccountDatabase, ChatSummary } from './account-db'

/**
 * The status a stored message keeps when an update arrives. Updates may come twice or late (a reload
 * replays what main still holds), so a message never goes back from delivered, nor from sent to sending
 * or waiting. A resend legitimately moves not-sent back to sending.
 */
export function mergeStatus(stored: MessageStatus, update: MessageStatus): MessageStatus {
  if (stored === 'delivered' || stored === 'received') return stored
  if (stored === 'sent' && (update === 'sending' || update === 'waiting')) return stored
  return update
}

export interface StoredUpdates {
  /** Every id written, for messages.ack. */
  ids: string[]
  /** Incoming messages this database had never seen: what may deserve a notification. */
  fresh: Message[]
}

/** When the display time of a message counts for sorting: never later than we saw it, so a sender's fast clock cannot pin a chat on top. */
function activityOf(message: Message): number {
  return Math.min(message.timestamp, message.receivedAt)
}

function summaryFor(message: Message): ChatSummary {
  const incomingOneToOne = message.chatKind === 'one-to-one' && !message.outgoing
  return {
    chatId: message.chatId,
    kind: message.chatKind,
    name: incomingOneToOne ? message.author.alias : message.chatId,
    joinedAt: message.receivedAt,
    lastActivity: 0,
    unread: 0,
    lastReadClock: 0
  }
}

/**
 * Stores a batch of message updates idempotently and keeps the chat summaries in step: new incoming
 * messages count as unread unless their chat is the one being read (`readChatId`), whose read point
 * moves instead. Runs in one transaction, so a summary never disagrees with the messages it counts.
 */
export async function storeMessages(db: AccountDatabase, updates: Message[], readChatId: string | null): Promise<StoredUpdates> {
  if (updates.length === 0) return { ids: [], fresh: [] }
  return db.transaction('rw', db.messages, db.chats, async () => {
    const ids = [...new Set(updates.map((message) => message.id))]
    const before = await db.messages.bulkGet(ids)
    const stored = new Map<string, Message>()
    for (const [index, id] of ids.entries()) {
      const existing = before[index]
      if (existing) stored.set(id, existing)
    }
    const next = new Map<string, Message>()
    const fresh: Message[] = []
    for (const update of updates) {
      const previous = next.get(update.id) ?? stored.get(update.id)
      if (previous) {
        next.set(update.id, { ...update, status: mergeStatus(previous.status, update.status), receivedAt: previous.receivedAt })
      } else {
        next.set(update.id, update)
        fresh.push(update)
      }
    }
    await db.messages.bulkPut([...next.values()])

    const newByChat = new Map<string, Message[]>()
    for (const message of fresh) {
      const list = newByChat.get(message.chatId)
      if (list) list.push(message)
      else newByChat.set(message.chatId, [message])
    }
    const summaries = await db.chats.bulkGet([...newByChat.keys()])
    const changed: ChatSummary[] = []
    for (const [index, [chatId, messages]] of [...newByChat.entries()].entries()) {
      const summary = { ...(summaries[index] ?? summaryFor(messages[0] as Message)) }
      for (const message of messages) {
        summary.lastActivity = Math.max(summary.lastActivity, activityOf(message))
        if (!summary.lastMessage || message.clock >= summary.lastMessage.clock) {
          summary.lastMessage = { text: message.text, alias: message.author.alias, outgoing: message.outgoing, clock: message.clock }
        }
        if (message.outgoing) continue
        if (chatId === readChatId) summary.lastReadClock = Math.max(summary.lastReadClock, message.clock)
        else if (message.clock > summary.lastReadClock) summary.unread += 1
      }
      changed.push(summary)
    }
    await db.chats.bulkPut(changed)
    return { ids, fresh: fresh.filter((message) => !message.outgoing) }
  })
}

/**
 * Brings the summaries in line with main's chats. A full list (at start) also drops chats main no longer
 * has; their messages stay, so joining again brings the history back.
 */
export async function storeChats(db: AccountDatabase, chats: Chat[], options: { complete: boolean }): Promise<void> {
  await db.transaction('rw', db.chats, async () => {
    const existing = await db.chats.bulkGet(chats.map((chat) => chat.id))
    await db.chats.bulkPut(
      chats.map((chat, index): ChatSummary => {
        const previous = existing[index]
        const base: ChatSummary = previous ?? { chatId: chat.id, kind: chat.kind, name: chat.name, joinedAt: chat.joinedAt, lastActivity: chat.joinedAt, unread: 0, lastReadClock: 0 }
        const summary: ChatSummary = { ...base, kind: chat.kind, name: chat.name, joinedAt: chat.joinedAt, lastActivity: Math.max(base.lastActivity, chat.joinedAt) }
        if (chat.contact) summary.contact = chat.contact
        return summary
      })
    )
    if (options.complete) {
      const listed = new Set(chats.map((chat) => chat.id))
      await db.chats.filter((summary) => !listed.has(summary.chatId)).delete()
    }
  })
}

/**
 * Marks everything in a chat as read. Returns where the "new messages" divider belongs: after the read
 * point that held before, or nowhere (Infinity) when nothing was unread.
 */
export async function markChatRead(db: AccountDatabase, chatId: string): Promise<number> {
  return db.transaction('rw', db.messages, db.chats, async () => {
    const summary = await db.chats.get(chatId)
    if (!summary) return Infinity
    const newest = await db.messages.where('[chatId+clock]').between([chatId, -Infinity], [chatId, Infinity], true, true).last()
    const lastReadClock = Math.max(summary.lastReadClock, newest?.clock ?? 0)
    if (summary.unread !== 0 || lastReadClock !== summary.lastReadClock) await db.chats.update(chatId, { unread: 0, lastReadClock })
    return summary.unread > 0 ? summary.lastReadClock : Infinity
  })
}

/** Forgets a chat on this device: its summary, draft and every stored message. */
export async function deleteChatHistory(db: AccountDatabase, chatId: string): Promise<void> {
  await db.transaction('rw', db.messages, db.chats, db.drafts, async () => {
    await db.messages.where('[chatId+clock]').between([chatId, -Infinity], [chatId, Infinity], true, true).delete()
    await db.chats.delete(chatId)
    await db.drafts.delete(chatId)
  })
}

/**
 * Cuts down, in place, stored texts longer than the app shows (`clip` says how): records an older version
 * kept whole, which every read of their window would otherwise load again in full.
 */
export async function clipStoredTexts(db: AccountDatabase, messages: Message[], max: number, clip: (text: string) => string): Promise<void> {
  const long = messages.filter((message) => typeof message.text === 'string' && message.text.length > max)
  if (long.length === 0) return
  await db.messages.bulkPut(long.map((message) => ({ ...message, text: clip(message.text) })))
}
