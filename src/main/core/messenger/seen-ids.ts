import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateJson, messageRecordKey, SEEN_PREFIX } from './records'
import type { Transaction } from './transaction'

/**
 * Past this age a message cannot come back: mailservers keep 30 days and history requests go back at most
 * that far, so older ids are forgotten at start.
 */
export const SEEN_RETENTION_MS = 31 * 24 * 3600_000

/** Every message id this account has shown (received or sent): the dedupe that survives restarts. */
export class SeenIds {
  private constructor(private readonly ids: Set<string>) {}

  /** Loads the recent ids and stages the deletion of expired ones into `tx`. */
  static async load(store: EncryptedStore, tx: Transaction, nowMs: number): Promise<SeenIds> {
    const ids = new Set<string>()
    for await (const [key, record] of iterateJson<{ at: number }>(store, SEEN_PREFIX)) {
      if (record.at < nowMs - SEEN_RETENTION_MS) tx.del(key)
      else ids.add('0x' + key.slice(SEEN_PREFIX.length))
    }
    return new SeenIds(ids)
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }

  add(tx: Transaction, id: string, nowMs: number): void {
    this.ids.add(id)
    tx.putJson(messageRecordKey(SEEN_PREFIX, id), { at: nowMs })
  }
}
