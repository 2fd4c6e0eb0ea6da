import { z } from 'zod'
import { Message } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { Count, JOURNAL_PREFIX, MessageId, type RecordKeys } from './records'
import type { Transaction } from './transaction'

const JournalEntry = z.object({
  /** Order of the latest update, so pending() replays in the order events were emitted. */
  seq: Count,
  message: Message.extend({ id: MessageId })
})
type JournalEntry = z.infer<typeof JournalEntry>

/**
 * The inbox journal: every message update the renderer has not yet stored. One entry per message id holds
 * its latest state (the renderer only needs that), so a burst of status changes costs one record. Entries
 * leave when the renderer acknowledges them; whatever is left is replayed after a restart or reload.
 */
export class Journal {
  private seq = 0

  private constructor(
    private readonly entries: Map<string, JournalEntry>,
    private readonly keys: RecordKeys
  ) {
    for (const entry of entries.values()) this.seq = Math.max(this.seq, entry.seq)
  }

  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable: OnUnreadable): Promise<Journal> {
    const entries = new Map<string, JournalEntry>()
    for await (const [, entry] of iterateParsed(store, JOURNAL_PREFIX, JournalEntry, onUnreadable)) entries.set(entry.message.id, entry)
    return new Journal(entries, keys)
  }

  /** Stages `message` as the newest update of its id (the outbox decides which transitions happen). */
  record(tx: Transaction, message: Message): void {
    const entry = { seq: ++this.seq, message }
    this.entries.set(message.id, entry)
    tx.putJson(this.keys.message(JOURNAL_PREFIX, message.id), entry)
  }

  ack(tx: Transaction, ids: readonly string[]): void {
    for (const id of ids) {
      if (!this.entries.delete(id)) continue
      tx.del(this.keys.message(JOURNAL_PREFIX, id))
    }
  }

  pending(): Message[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq).map((entry) => entry.message)
  }

  get size(): number {
    return this.entries.size
  }
}
