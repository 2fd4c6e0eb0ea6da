import Dexie, { type EntityTable } from 'dexie'
import type { ChatKind, Message, PublicIdentity } from '../../../shared/api'

/** What the chat list shows for one chat, kept up to date as messages are stored. */
export interface ChatSummary {
  chatId: string
  kind: ChatKind
  /** Public chat name, or the contact's alias for a 1:1 chat. */
  name: string
  contact?: PublicIdentity
  joinedAt: number
  lastMessage?: { text: string; alias: string; outgoing: boolean; clock: number }
  /** Milliseconds; the list is sorted by it, newest first. */
  lastActivity: number
  unread: number
  /** Incoming messages up to this clock have been seen; the "new messages" divider goes after it. */
  lastReadClock: number
}

export interface Draft {
  chatId: string
  text: string
}

/**
 * One account's history on this device, in its own IndexedDB database so that accounts never see each
 * other's data. Messages are keyed by their network id (storing an update twice is harmless) and indexed
 * by [chatId+clock], the order a conversation is read and paged in.
 */
export class AccountDatabase extends Dexie {
  messages!: EntityTable<Message, 'id'>
  chats!: EntityTable<ChatSummary, 'chatId'>
  drafts!: EntityTable<Draft, 'chatId'>

  constructor(accountId: string) {
    super(accountDbName(accountId))
    this.version(1).stores({
      messages: 'id, [chatId+clock]',
      chats: 'chatId, lastActivity',
      drafts: 'chatId'
    })
  }
}

export function accountDbName(accountId: string): string {
  return `hush-account-${accountId}`
}
