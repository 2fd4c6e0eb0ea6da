import type { Message, MessageStatus } from '../../../shared/api'
import type { ChangeFeed } from './change-feed'
import type { MessengerContext } from './context'
import { Transaction } from './transaction'

/**
 * Delivery states of the messages we sent, kept in the outbox until final (sent for a public message,
 * delivered for a 1:1 one) and mirrored into the history, which the renderer reads.
 */
export class DeliveryStatus {
  constructor(
    private readonly ctx: Pick<MessengerContext, 'outbox' | 'messages' | 'store'>,
    private readonly feed: ChangeFeed
  ) {}

  /** Stages a status change of outbox messages into `tx`, collecting the changed messages in `updates`. */
  stage(tx: Transaction, ids: readonly string[], status: MessageStatus, updates: Message[]): void {
    for (const id of ids) {
      const entry = this.ctx.outbox.get(id, tx)
      if (!entry || entry.message.status === status) continue
      const message = { ...entry.message, status }
      const final = status === 'delivered' || (status === 'sent' && message.chatKind === 'public')
      if (final) this.ctx.outbox.remove(tx, id)
      else this.ctx.outbox.put(tx, { ...entry, message })
      this.ctx.messages.put(tx, message)
      updates.push(message)
    }
  }

  /**
   * MVDS acknowledged the records `syncIds`: a 1:1 message is delivered; a group message counts the
   * recipient, and is delivered once every recipient acknowledged it.
   */
  stageAcknowledged(tx: Transaction, syncIds: readonly string[], updates: Message[]): void {
    for (const syncId of syncIds) {
      const entry = this.ctx.outbox.bySync(syncId, tx)
      if (!entry) continue
      if (!entry.fanout) {
        this.stage(tx, [entry.message.id], 'delivered', updates)
        continue
      }
      const fanout = entry.fanout.map((f) => (f.sync.id === syncId ? { ...f, delivered: true } : f))
      const delivered = fanout.filter((f) => f.delivered).length
      const message = { ...entry.message, delivery: { delivered, total: fanout.length } }
      this.ctx.outbox.put(tx, { ...entry, message, fanout })
      if (delivered === fanout.length) return this.stage(tx, [message.id], 'delivered', updates)
      this.ctx.messages.put(tx, message)
      updates.push(message)
    }
  }

  /** A status change on its own (call from the serial queue). */
  async set(ids: readonly string[], status: MessageStatus): Promise<void> {
    const tx = new Transaction()
    const updates: Message[] = []
    this.stage(tx, ids, status, updates)
    tx.afterCommit(() => this.feed.upserted(updates))
    await tx.commit(this.ctx.store)
  }
}

/** Posted or queued, but no peer has taken it yet. */
export function isUnsent(status: MessageStatus | undefined): boolean {
  return status === 'sending' || status === 'waiting'
}
