import { z } from 'zod'
import { Message } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { MessageId, OUTBOX_PREFIX, type RecordKeys } from './records'
import type { Transaction } from './transaction'

/** Where a 1:1 message sits in MVDS: enough to put it back in the batch node after a restart. */
export interface SyncRef {
  /** MVDS message id (hex, no 0x): what the recipient's ACK names. */
  id: string
  groupId: string
  /** MVDS timestamp, unix seconds (decimal string). */
  timestamp: string
}

/** One message we sent that has not reached its final state (sent for public chats, delivered for 1:1). */
export interface OutboxEntry {
  message: Message
  /** The signed ApplicationMetadataMessage (hex): resends reuse it, so the id never changes. */
  wrapper: string
  /** 1:1 only. */
  sync?: SyncRef
}

const Hex = z.string().regex(/^([0-9a-f]{2})*$/)

const OutboxEntrySchema: z.ZodType<OutboxEntry> = z.object({
  message: Message.extend({ id: MessageId }),
  // A wrapper holds at most one message of the API's 4096 characters, its signature and protobuf framing.
  wrapper: Hex.max(64 * 1024),
  sync: z.object({ id: Hex.length(64), groupId: Hex.length(64), timestamp: z.string().regex(/^\d{1,20}$/) }).optional()
})

/**
 * Messages on their way out, persisted before anything is posted so a crash never loses one. Public
 * messages leave the outbox once sent, 1:1 messages once delivered; not-sent ones stay for messages.resend.
 */
export class Outbox {
  private readonly bySyncId = new Map<string, string>()

  private constructor(
    private readonly entries: Map<string, OutboxEntry>,
    private readonly keys: RecordKeys
  ) {
    for (const entry of entries.values()) if (entry.sync) this.bySyncId.set(entry.sync.id, entry.message.id)
  }

  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable: OnUnreadable): Promise<Outbox> {
    const entries = new Map<string, OutboxEntry>()
    for await (const [, entry] of iterateParsed(store, OUTBOX_PREFIX, OutboxEntrySchema, onUnreadable)) entries.set(entry.message.id, entry)
    return new Outbox(entries, keys)
  }

  get(id: string): OutboxEntry | undefined {
    return this.entries.get(id)
  }

  bySync(syncId: string): OutboxEntry | undefined {
    const id = this.bySyncId.get(syncId)
    return id === undefined ? undefined : this.entries.get(id)
  }

  all(): OutboxEntry[] {
    return [...this.entries.values()]
  }

  put(tx: Transaction, entry: OutboxEntry): void {
    const previous = this.entries.get(entry.message.id)
    if (previous?.sync && previous.sync.id !== entry.sync?.id) this.bySyncId.delete(previous.sync.id)
    this.entries.set(entry.message.id, entry)
    if (entry.sync) this.bySyncId.set(entry.sync.id, entry.message.id)
    tx.putJson(this.keys.message(OUTBOX_PREFIX, entry.message.id), entry)
  }

  remove(tx: Transaction, id: string): void {
    const entry = this.entries.get(id)
    if (!entry) return
    this.entries.delete(id)
    if (entry.sync) this.bySyncId.delete(entry.sync.id)
    tx.del(this.keys.message(OUTBOX_PREFIX, id))
  }
}
