import { type Message, MAX_REQUEST_MESSAGES, type MessageRequest, refusal } from '../../../shared/api'
import { chatKeyId } from '../protocol/chat-matching'
import type { ChangeFeed } from './change-feed'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import { parseChatKey } from './identities'
import type { RequestList } from './request-list'
import { Transaction } from './transaction'

const WHOLE_CHAT = { lower: null, upper: null }

/**
 * Message requests: a 1:1 message from a key we have no chat with waits here (its messages in the history
 * under the sender's key, but no chat record, so no chat, badge or notification) until the person accepts,
 * declines or blocks. Announced as the whole bounded list after each committed change.
 */
export class RequestsService {
  /** Transactions that will announce the list once committed. */
  private readonly announcing = new WeakSet<Transaction>()

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'chats' | 'messages' | 'emit' | 'now' | 'serial' | 'stopped'>,
    private readonly requests: RequestList,
    private readonly contacts: ContactsService,
    private readonly feed: ChangeFeed,
    /** A request became a chat, once committed: watch it. */
    private readonly onAccepted: (chatId: string) => void
  ) {}

  list(): MessageRequest[] {
    return this.requests.all().map((record) => ({
      contact: this.contacts.contact(record.publicKey),
      firstAt: record.firstAt,
      lastAt: record.lastAt,
      count: record.count,
      preview: record.preview
    }))
  }

  /** A received 1:1 message from a stranger; returns a drop reason when the request cannot take it. */
  stage(tx: Transaction, message: Message): string | null {
    const dropped = this.requests.note(tx, message.chatId, message.text, message.receivedAt)
    if (dropped) return dropped
    this.ctx.messages.put(tx, message)
    this.changed(tx)
    return null
  }

  accept(publicKey: string): Promise<string> {
    const id = chatKeyId(parseChatKey(publicKey))
    return this.ctx.serial(async () => {
      if (!this.requests.get(id)) throw refusal('NOT_FOUND', { reason: 'NO_REQUEST' }, 'There is no message request from that key.')
      const tx = new Transaction()
      this.ctx.chats.add(tx, { id, kind: 'one-to-one', joinedAt: this.ctx.now(), lastClock: '0' })
      const { messages } = await this.ctx.messages.read(id, WHOLE_CHAT, MAX_REQUEST_MESSAGES)
      for (const message of messages) {
        this.ctx.chats.observe(tx, id, BigInt(Math.max(0, Math.floor(message.clock))))
        this.ctx.chats.noteMessage(tx, message)
      }
      this.contacts.ensure(tx, id)
      this.requests.remove(tx, id)
      this.feed.chatChanged(tx, id)
      this.changed(tx)
      tx.afterCommit(() => this.onAccepted(id))
      await tx.commit(this.ctx.store)
      return id
    })
  }

  decline(publicKey: string): Promise<void> {
    const id = chatKeyId(parseChatKey(publicKey))
    return this.ctx.serial(async () => {
      if (!this.requests.get(id)) throw refusal('NOT_FOUND', { reason: 'NO_REQUEST' }, 'There is no message request from that key.')
      const tx = new Transaction()
      await this.drop(tx, id)
      await tx.commit(this.ctx.store)
    })
  }

  /** Stages the removal of the request from `id` and its messages, if there is one. */
  async drop(tx: Transaction, id: string): Promise<void> {
    if (!this.requests.get(id, tx) || this.ctx.chats.get(id, tx)) return
    await this.ctx.messages.deleteChat(tx, id)
    this.requests.remove(tx, id)
    this.changed(tx)
  }

  private changed(tx: Transaction): void {
    if (this.announcing.has(tx)) return
    this.announcing.add(tx)
    tx.afterCommit(() => {
      if (!this.ctx.stopped()) this.ctx.emit('requests.changed', { requests: this.list() })
    })
  }
}
