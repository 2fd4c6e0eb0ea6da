import type { EncryptedStore } from '../storage/encrypted-store'
import { BLOCKED_PREFIX, iterateJson, keyRecordKey } from './records'
import { StagedMap, type Transaction } from './transaction'

export interface BlockedRecord {
  /** "0x04…" chat key. */
  publicKey: string
  blockedAt: number
}

/** Keys the person blocked, loaded once and kept in memory (every receive asks); changes go through a Transaction. */
export class BlockList {
  private constructor(private readonly blocked: StagedMap<BlockedRecord>) {}

  static async load(store: EncryptedStore): Promise<BlockList> {
    const blocked = new Map<string, BlockedRecord>()
    for await (const [, record] of iterateJson<BlockedRecord>(store, BLOCKED_PREFIX)) blocked.set(record.publicKey, record)
    return new BlockList(new StagedMap(blocked))
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
    tx.putJson(keyRecordKey(BLOCKED_PREFIX, publicKey), record)
  }

  unblock(tx: Transaction, publicKey: string): void {
    this.blocked.delete(tx, publicKey)
    tx.del(keyRecordKey(BLOCKED_PREFIX, publicKey))
  }
}
