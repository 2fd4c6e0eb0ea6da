import { type HistoryWindow, type Message, type MessageRange, refusal } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import type { ChangeFeed } from './change-feed'
import type { ChatList } from './chat-list'
import type { MessengerContext } from './context'
import type { HistoryStore } from './history-store'
import { iterateJson, JOURNAL_PREFIX } from './records'
import { Transaction } from './transaction'

/**
 * The history API over main's store: pages of a chat, read points, drafts, and the one-time hand-over of
 * what renderers kept before main owned the history.
 */
export class ChatHistory {
  private readonly chats: ChatList
  private readonly messages: HistoryStore

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'chats' | 'messages' | 'now' | 'serial'>,
    private readonly feed: ChangeFeed
  ) {
    this.chats = ctx.chats
    this.messages = ctx.messages
  }

  /** Everything in the chat has been seen; returns the read point before when something was unread. */
  markRead(chatId: string): Promise<number | null> {
    return this.ctx.serial(async () => {
      if (!this.chats.get(chatId)) throw refusal('NOT_FOUND', { reason: 'NOT_IN_CHAT' }, 'You are not in that chat.')
      const newest = await this.messages.newest(chatId)
      const tx = new Transaction()
      const previous = this.chats.markRead(tx, chatId, newest?.clock ?? 0)
      this.feed.chatChanged(tx, chatId)
      await tx.commit(this.ctx.store)
      return previous
    })
  }

  setDraft(chatId: string, text: string): Promise<void> {
    return this.ctx.serial(async () => {
      if (!this.chats.get(chatId)) throw refusal('NOT_FOUND', { reason: 'NOT_IN_CHAT' }, 'You are not in that chat.')
      const tx = new Transaction()
      this.chats.setDraft(tx, chatId, text)
      this.feed.chatChanged(tx, chatId)
      await tx.commit(this.ctx.store)
    })
  }

  read(chatId: string, range: MessageRange, limit: number): Promise<HistoryWindow> {
    return this.messages.read(chatId, range, limit)
  }

  extend(args: { chatId: string; direction: 'latest' | 'older' | 'newer'; range: MessageRange; page: number; max: number }): Promise<MessageRange> {
    const { chatId, range, page, max } = args
    if (args.direction === 'latest') return this.messages.latestRange(chatId, page)
    return args.direction === 'older' ? this.messages.olderRange(chatId, range, page, max) : this.messages.newerRange(chatId, range, page, max)
  }

  /**
   * Messages a renderer kept before main owned the history, handed over once. Only those of joined chats
   * that main lacks are stored; they count as read. Returns how many were new.
   */
  import(messages: readonly Message[]): Promise<number> {
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      const fresh = new Set<string>()
      for (const message of messages) {
        if (!this.chats.get(message.chatId) || fresh.has(message.id) || (await this.messages.has(message.id))) continue
        fresh.add(message.id)
        this.messages.put(tx, message)
        this.chats.noteMessage(tx, message, { unread: false })
        this.feed.chatChanged(tx, message.chatId)
      }
      await tx.commit(this.ctx.store)
      return fresh.size
    })
  }
}

/**
 * Before main kept the history, messages the renderer had not yet stored waited in a journal. They move
 * into the history (those it lacks) and the journal records go, in the same batch.
 */
export async function migrateJournal(store: EncryptedStore, tx: Transaction, chats: ChatList, messages: HistoryStore): Promise<void> {
  for await (const [key, entry] of iterateJson<{ message: Message }>(store, JOURNAL_PREFIX)) {
    tx.del(key)
    const { message } = entry
    if (!chats.get(message.chatId)) continue
    if (!(await messages.has(message.id))) chats.noteMessage(tx, message, { unread: true })
    messages.put(tx, message)
  }
}

