import type { Message } from '../../../shared/api'
import { toApiChat } from './chat-list'
import type { MessengerContext } from './context'
import type { Transaction } from './transaction'

/**
 * What the renderer hears about messages and chats, always after the change is committed: the changed
 * messages, and the changed chats of a transaction once (deltas, never the whole list).
 */
export class ChangeFeed {
  /** Chats each transaction changed, announced together once it commits. */
  private readonly changedChats = new WeakMap<Transaction, Set<string>>()

  constructor(private readonly ctx: Pick<MessengerContext, 'chats' | 'messages' | 'emit' | 'stopped'>) {}

  /** The event hub merges these per tick and slices long batches. */
  upserted(messages: readonly Message[]): void {
    if (this.ctx.stopped() || messages.length === 0) return
    this.ctx.emit('messages.upserted', { messages: [...messages] })
  }

  /** A message seen for the first time: into the history, and into its chat's summary. */
  storeNew(tx: Transaction, message: Message): void {
    this.ctx.messages.put(tx, message)
    this.ctx.chats.noteMessage(tx, message)
    this.chatChanged(tx, message.chatId)
  }

  /** The chat's record changed in `tx`: the renderer hears of it, once, after the commit. */
  chatChanged(tx: Transaction, chatId: string): void {
    const pending = this.changedChats.get(tx)
    if (pending) return void pending.add(chatId)
    const ids = new Set([chatId])
    this.changedChats.set(tx, ids)
    tx.afterCommit(() => {
      if (this.ctx.stopped()) return
      const chats = [...ids].flatMap((id) => {
        const record = this.ctx.chats.get(id)
        return record ? [toApiChat(record)] : []
      })
      if (chats.length > 0) this.ctx.emit('chats.changed', { chats, removed: [] })
    })
  }

  chatRemoved(chatId: string): void {
    if (!this.ctx.stopped()) this.ctx.emit('chats.changed', { chats: [], removed: [chatId] })
  }
}
