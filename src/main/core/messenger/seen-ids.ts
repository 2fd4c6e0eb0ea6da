import { z } from 'zod'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { Count, MessageId, type RecordKeys, SEEN_PREFIX } from './records'
import type { Transaction } from './transaction'

/**
 * Past this age a message cannot come back: mailservers keep 30 days and history requests go back at most
 * that far, so older ids are forgotten at start.
 */
export const SEEN_RETENTION_MS = 31 * 24 * 3600_000

const SeenRecord = z.object({ id: MessageId, at: Count })

/** Every message id this account has shown (received or sent): the dedupe that survives restarts. */
export class SeenIds {
  private constructor(
    private readonly ids: Set<string>,
    private readonly keys: RecordKeys
  ) {}

  /** Loads the recent ids and stages the deletion of expired ones into `tx`. */
  static async load(store: EncryptedStore, keys: RecordKeys, tx: Transaction, nowMs: number, onUnreadable: OnUnreadable): Promise<SeenIds> {
    const ids = new Set<string>()
    for await (const [key, record] of iterateParsed(store, SEEN_PREFIX, SeenRecord, onUnreadable)) {
      if (record.at < nowMs - SEEN_RETENTION_MS) tx.del(key)
      else ids.add(record.id)
    }
    return new SeenIds(ids, keys)
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }

  add(tx: Transaction, id: string, nowMs: number): void {
    this.ids.add(id)
    tx.putJson(this.keys.message(SEEN_PREFIX, id), { id, at: nowMs })
  }
}
