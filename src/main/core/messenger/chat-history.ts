import { z } from 'zod'
import { Author, type HistoryWindow, type Message, type MessageRange, refusal } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import type { ChangeFeed } from './change-feed'
import type { ChatList } from './chat-list'
import type { MessengerContext } from './context'
import type { HistoryStore } from './history-store'
import { Count, JOURNAL_PREFIX, StoredMessage } from './records'
import { Transaction } from './transaction'

/**
 * A message a page hands over that the history and its chat's summary can hold: anything else would be
 * stored as a record that does not read back (the chat whose summary it became would be lost on restart).
 */
const Importable = StoredMessage.extend({
  timestamp: Count,
  receivedAt: Count,
  author: Author.extend({ alias: z.string().max(1024), displayName: z.string().max(1024).optional() })
})

/**
 * The history API over main's store: pages of a chat, read points, drafts, and the one-time hand-over of
 * what renderers kept before main owned the history.
 */
export class ChatHistory {
  private readonly chats: ChatList
  private readonly messages: HistoryStore

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'chats' | 'messages' | 'now' | 'serial'>,
    private readonly feed: ChangeFeed,
    /** Messages kept but not shown (written by a blocked key). */
    private readonly hidden: (message: Message) => boolean = () => false
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

  /** A window of the chat; what blocked keys wrote is left out (the range stays, so paging goes on). */
  async read(chatId: string, range: MessageRange, limit: number): Promise<HistoryWindow> {
    const window = await this.messages.read(chatId, range, limit)
    return { ...window, messages: window.messages.filter((message) => !this.hidden(message)) }
  }

  extend(args: { chatId: string; direction: 'latest' | 'older' | 'newer'; range: MessageRange; page: number; max: number }): Promise<MessageRange> {
    const { chatId, range, page, max } = args
    if (args.direction === 'latest') return this.messages.latestRange(chatId, page)
    return args.direction === 'older' ? this.messages.olderRange(chatId, range, page, max) : this.messages.newerRange(chatId, range, page, max)
  }

  async around(chatId: string, messageId: string, page: number): Promise<MessageRange> {
    const range = await this.messages.aroundRange(chatId, messageId, page)
    if (!range) throw refusal('NOT_FOUND', { reason: 'NOT_IN_CHAT' }, 'That message is not in this chat on this computer.')
    return range
  }

  /** The messages of `ids` this chat holds, in the order asked; ids it lacks are skipped. */
  async get(chatId: string, ids: readonly string[]): Promise<Message[]> {
    const found: Message[] = []
    for (const id of new Set(ids)) {
      const message = await this.messages.get(id)
      if (message?.chatId === chatId) found.push(message)
    }
    return found
  }

  /**
   * Messages a renderer kept before main owned the history, handed over once. Only those of joined chats
   * that main lacks, and that it can store (Importable), are; they count as read. Returns how many were new.
   */
  import(messages: readonly Message[]): Promise<number> {
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      const fresh = new Set<string>()
      for (const message of messages) {
        if (!Importable.safeParse(message).success || !this.chats.get(message.chatId)) continue
        if (fresh.has(message.id) || (await this.messages.has(message.id))) continue
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

const JournalEntry = z.object({ message: StoredMessage })

/**
 * Before main kept the history, messages the renderer had not yet stored waited in a journal. They move
 * into the history (those it lacks) and the journal records go, in the same batch; an unreadable one is
 * reported to `onUnreadable` and stays.
 */
export async function migrateJournal(store: EncryptedStore, tx: Transaction, chats: ChatList, messages: HistoryStore, onUnreadable?: OnUnreadable): Promise<void> {
  for await (const [key, entry] of iterateParsed(store, JOURNAL_PREFIX, JournalEntry, onUnreadable)) {
    tx.del(key)
    const { message } = entry
    if (!chats.get(message.chatId)) continue
    if (!(await messages.has(message.id))) chats.noteMessage(tx, message, { unread: true })
    messages.put(tx, message)
  }
}

