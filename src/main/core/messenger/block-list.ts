import { z } from 'zod'
import { PUBLIC_KEY_PATTERN } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { BLOCKED_PREFIX, Count, type RecordKeys } from './records'
import { StagedMap, type Transaction } from './transaction'

const BlockedRecord = z.object({
  /** "0x04…" chat key. */
  publicKey: z.string().regex(PUBLIC_KEY_PATTERN),
  blockedAt: Count
})
export type BlockedRecord = z.infer<typeof BlockedRecord>

/** Keys the person blocked, loaded once and kept in memory (every receive asks); changes go through a Transaction. */
export class BlockList {
  private constructor(
    private readonly blocked: StagedMap<BlockedRecord>,
    private readonly keys: RecordKeys
  ) {}

  /** Loads every readable record; an unreadable one is reported to `onUnreadable` and left out. */
  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<BlockList> {
    const blocked = new Map<string, BlockedRecord>()
    for await (const [, record] of iterateParsed(store, BLOCKED_PREFIX, BlockedRecord, onUnreadable)) blocked.set(record.publicKey, record)
    return new BlockList(new StagedMap(blocked), keys)
  }

  has(publicKey: string, tx?: Transaction): boolean {
    return this.blocked.has(publicKey, tx)
  }

  /** Most recently blocked first. */
  all(): BlockedRecord[] {
    return [...this.blocked.values()].sort((a, b) => b.blockedAt - a.blockedAt)
  }

  block(tx: Transaction, publicKey: string, now: number): void {
    if (this.blocked.has(publicKey, tx)) return
    const record = { publicKey, blockedAt: now }
    this.blocked.set(tx, publicKey, record)
    tx.putJson(this.keys.blocked(publicKey), record)
  }

  unblock(tx: Transaction, publicKey: string): void {
    this.blocked.delete(tx, publicKey)
    tx.del(this.keys.blocked(publicKey))
  }
}
