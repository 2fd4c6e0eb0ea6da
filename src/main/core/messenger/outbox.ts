import type { Message } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateJson, messageRecordKey, OUTBOX_PREFIX } from './records'
import { StagedMap, type Transaction } from './transaction'

/** Where a 1:1 message sits in MVDS: enough to put it back in the batch node after a restart. */
export interface SyncRef {
  /** MVDS message id (hex, no 0x): what the recipient's ACK names. */
  id: string
  groupId: string
  /** MVDS timestamp, unix seconds (decimal string). */
  timestamp: string
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

/**
 * Messages on their way out, persisted before anything is posted so a crash never loses one. Public
 * messages leave the outbox once sent, 1:1 messages once delivered; not-sent ones stay for messages.resend.
 */
export class Outbox {
  private constructor(
    private readonly entries: StagedMap<OutboxEntry>,
    /** MVDS id → message id. */
    private readonly bySyncId: StagedMap<string>
  ) {}

  static async load(store: EncryptedStore): Promise<Outbox> {
    const entries = new Map<string, OutboxEntry>()
    const bySyncId = new Map<string, string>()
    for await (const [, entry] of iterateJson<OutboxEntry>(store, OUTBOX_PREFIX)) {
      entries.set(entry.message.id, entry)
      for (const id of syncIdsOf(entry)) bySyncId.set(id, entry.message.id)
    }
    return new Outbox(new StagedMap(entries), new StagedMap(bySyncId))
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
    tx.putJson(messageRecordKey(OUTBOX_PREFIX, entry.message.id), entry)
  }

  remove(tx: Transaction, id: string): void {
    const entry = this.entries.get(id, tx)
    if (!entry) return
    this.entries.delete(tx, id)
    for (const syncId of syncIdsOf(entry)) this.bySyncId.delete(tx, syncId)
    tx.del(messageRecordKey(OUTBOX_PREFIX, id))
  }
}
