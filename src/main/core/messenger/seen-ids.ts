import { z } from 'zod'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { Count, type ENVELOPE_PREFIX, MessageId, type RecordKeys, SEEN_PREFIX } from './records'
import { StagedMap, type Transaction } from './transaction'

/**
 * Past this age a message cannot come back: mailservers keep 30 days and history requests go back at most
 * that far, so older ids are forgotten at start.
 */
export const SEEN_RETENTION_MS = 31 * 24 * 3600_000

const SeenRecord = z.object({ id: MessageId, at: Count })

/**
 * Every message id this account has shown (received or sent): the dedupe that survives restarts. Loaded
 * with ENVELOPE_PREFIX, the hashes of the direct envelopes already processed, so that a replay (a history
 * re-fetch, a relay's repeat) is skipped before decryption instead of failing it.
 */
export class SeenIds {
  private constructor(
    private readonly ids: StagedMap<true>,
    private readonly keys: RecordKeys,
    private readonly prefix: typeof SEEN_PREFIX | typeof ENVELOPE_PREFIX
  ) {}

  /**
   * Loads the recent ids and stages the deletion of expired ones into `tx`. An unreadable record is reported
   * to `onUnreadable` and left out: at worst its message, fetched again, shows once more.
   */
  static async load(
    store: EncryptedStore,
    keys: RecordKeys,
    tx: Transaction,
    nowMs: number,
    onUnreadable?: OnUnreadable,
    prefix: typeof SEEN_PREFIX | typeof ENVELOPE_PREFIX = SEEN_PREFIX
  ): Promise<SeenIds> {
    const ids = new Map<string, true>()
    for await (const [key, record] of iterateParsed(store, prefix, SeenRecord, onUnreadable)) {
      if (record.at < nowMs - SEEN_RETENTION_MS) tx.del(key)
      else ids.set(record.id, true)
    }
    return new SeenIds(new StagedMap(ids), keys, prefix)
  }

  has(id: string, tx?: Transaction): boolean {
    return this.ids.has(id, tx)
  }

  add(tx: Transaction, id: string, nowMs: number): void {
    this.ids.set(tx, id, true)
    tx.putJson(this.keys.message(this.prefix, id), { id, at: nowMs })
  }
}
