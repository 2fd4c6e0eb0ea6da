import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateJson, messageRecordKey, SEEN_PREFIX } from './records'
import { StagedMap, type Transaction } from './transaction'

/**
 * Past this age a message cannot come back: mailservers keep 30 days and history requests go back at most
 * that far, so older ids are forgotten at start.
 */
export const SEEN_RETENTION_MS = 31 * 24 * 3600_000

/** Every message id this account has shown (received or sent): the dedupe that survives restarts. */
export class SeenIds {
  private constructor(private readonly ids: StagedMap<true>) {}

  /** Loads the recent ids and stages the deletion of expired ones into `tx`. */
  static async load(store: EncryptedStore, tx: Transaction, nowMs: number): Promise<SeenIds> {
    const ids = new Map<string, true>()
    for await (const [key, record] of iterateJson<{ at: number }>(store, SEEN_PREFIX)) {
      if (record.at < nowMs - SEEN_RETENTION_MS) tx.del(key)
      else ids.set('0x' + key.slice(SEEN_PREFIX.length), true)
    }
    return new SeenIds(new StagedMap(ids))
  }

  has(id: string, tx?: Transaction): boolean {
    return this.ids.has(id, tx)
  }

  add(tx: Transaction, id: string, nowMs: number): void {
    this.ids.set(tx, id, true)
    tx.putJson(messageRecordKey(SEEN_PREFIX, id), { at: nowMs })
  }
}
