import { z } from 'zod'
import { type Message, PUBLIC_KEY_PATTERN } from '../../../shared/api'
import { MAX_GROUP_SIZE } from '../protocol/group-limits'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { Count, OUTBOX_PREFIX, type RecordKeys, StoredMessage } from './records'
import { StagedMap, type Transaction } from './transaction'

/** Where a 1:1 message sits in MVDS: enough to put it back in the batch node after a restart. */
export interface SyncRef {
  /** MVDS message id (hex, no 0x): what the recipient's ACK names. */
  id: string
  groupId: string
  /** MVDS timestamp, unix seconds (decimal string). */
  timestamp: string
  /** Transmissions so far and when the next one is due (ms): the resend schedule goes on across restarts. */
  sends?: number
  nextSendAt?: number
}

/** A group message's copy to one recipient: each member has its own MVDS record and acknowledgement. */
export interface FanoutRef {
  /** The recipient's "0x04…" key. */
  peer: string
  sync: SyncRef
  delivered: boolean
}

/** One message we sent that has not reached its final state (sent for public chats, delivered for 1:1). */
export interface OutboxEntry {
  message: Message
  /** The signed ApplicationMetadataMessage (hex): resends reuse it, so the id never changes. */
  wrapper: string
  /** 1:1 only. */
  sync?: SyncRef
  /** Private groups only: one copy per recipient. */
  fanout?: FanoutRef[]
}

function syncIdsOf(entry: OutboxEntry): string[] {
  return [...(entry.sync ? [entry.sync.id] : []), ...(entry.fanout ?? []).map((f) => f.sync.id)]
}

const Hex = (max: number) => z.string().max(max).regex(/^([0-9a-f]{2})*$/)
/** A wrapper carries one message: at most Whisper's 1 MiB, hex-encoded. */
const MAX_WRAPPER_HEX = 2 * 1024 * 1024
const SyncRefSchema = z.object({
  id: Hex(64),
  groupId: Hex(64),
  timestamp: z.string().regex(/^\d{1,20}$/),
  sends: Count.optional(),
  nextSendAt: Count.optional()
})
const OutboxEntrySchema: z.ZodType<OutboxEntry> = z.object({
  message: StoredMessage,
  wrapper: Hex(MAX_WRAPPER_HEX),
  sync: SyncRefSchema.optional(),
  fanout: z
    .array(z.object({ peer: z.string().regex(PUBLIC_KEY_PATTERN), sync: SyncRefSchema, delivered: z.boolean() }))
    .max(MAX_GROUP_SIZE)
    .optional()
})

/**
 * Messages on their way out, persisted before anything is posted so a crash never loses one. Public
 * messages leave the outbox once sent, 1:1 messages once delivered; not-sent ones stay for messages.resend.
 */
export class Outbox {
  private constructor(
    private readonly entries: StagedMap<OutboxEntry>,
    /** MVDS id → message id. */
    private readonly bySyncId: StagedMap<string>,
    private readonly keys: RecordKeys
  ) {}

  /** Loads every readable entry; an unreadable one is reported to `onUnreadable` and left out. */
  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<Outbox> {
    const entries = new Map<string, OutboxEntry>()
    const bySyncId = new Map<string, string>()
    for await (const [, entry] of iterateParsed(store, OUTBOX_PREFIX, OutboxEntrySchema, onUnreadable)) {
      entries.set(entry.message.id, entry)
      for (const id of syncIdsOf(entry)) bySyncId.set(id, entry.message.id)
    }
    return new Outbox(new StagedMap(entries), new StagedMap(bySyncId), keys)
  }

  get(id: string, tx?: Transaction): OutboxEntry | undefined {
    return this.entries.get(id, tx)
  }

  bySync(syncId: string, tx?: Transaction): OutboxEntry | undefined {
    const id = this.bySyncId.get(syncId, tx)
    return id === undefined ? undefined : this.entries.get(id, tx)
  }

  /** Committed entries. */
  all(): OutboxEntry[] {
    return [...this.entries.values()]
  }

  put(tx: Transaction, entry: OutboxEntry): void {
    const previous = this.entries.get(entry.message.id, tx)
    const current = new Set(syncIdsOf(entry))
    for (const id of previous ? syncIdsOf(previous) : []) if (!current.has(id)) this.bySyncId.delete(tx, id)
    this.entries.set(tx, entry.message.id, entry)
    for (const id of current) this.bySyncId.set(tx, id, entry.message.id)
    tx.putJson(this.keys.message(OUTBOX_PREFIX, entry.message.id), entry)
  }

  remove(tx: Transaction, id: string): void {
    const entry = this.entries.get(id, tx)
    if (!entry) return
    this.entries.delete(tx, id)
    for (const syncId of syncIdsOf(entry)) this.bySyncId.delete(tx, syncId)
    tx.del(this.keys.message(OUTBOX_PREFIX, id))
  }
}
