import { z } from 'zod'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { Count, ENVELOPE_PREFIX, MessageId, type RecordKeys, SEEN_PREFIX } from './records'
import { StagedMap, type Transaction } from './transaction'

/**
 * Past this age a message cannot come back: mailservers keep 30 days and history requests go back at most
 * that far, so older ids are forgotten at start.
 */
export const SEEN_RETENTION_MS = 31 * 24 * 3600_000

/**
 * Most processed-envelope hashes kept: every public and direct envelope that reached a chat is one, and a
 * hash forgotten early costs only one decryption more if its envelope comes back. Message ids are not
 * bounded by count: forgetting one would show its message twice.
 */
export const MAX_ENVELOPE_HASHES = 100_000

const SeenRecord = z.object({ id: MessageId, at: Count })

/**
 * Every message id this account has shown (received or sent): the dedupe that survives restarts. Loaded
 * with ENVELOPE_PREFIX, the hashes of the envelopes already processed, so that a replay (a history
 * re-fetch, a relay's repeat, a second peer's copy) is skipped before decryption instead of decrypted again
 * (a direct one would fail: its message key is spent). That set is bounded by count as well as by age.
 */
export class SeenIds {
  /** Ids in the order they were added (oldest first from `head`), with when: what the bounds drop first. */
  private order: Array<{ id: string; at: number }>
  private head = 0

  private constructor(
    /** Id → when it was added. */
    private readonly ids: StagedMap<number>,
    private readonly keys: RecordKeys,
    private readonly prefix: typeof SEEN_PREFIX | typeof ENVELOPE_PREFIX,
    order: Array<{ id: string; at: number }>,
    private readonly maxCount: number
  ) {
    this.order = order
  }

  /**
   * Loads the recent ids and stages the deletion of expired ones (and, past the bound, the oldest) into
   * `tx`. An unreadable record is reported to `onUnreadable` and left out: at worst its message, fetched
   * again, shows once more.
   */
  static async load(
    store: EncryptedStore,
    keys: RecordKeys,
    tx: Transaction,
    nowMs: number,
    onUnreadable?: OnUnreadable,
    prefix: typeof SEEN_PREFIX | typeof ENVELOPE_PREFIX = SEEN_PREFIX,
    maxCount = prefix === ENVELOPE_PREFIX ? MAX_ENVELOPE_HASHES : Number.POSITIVE_INFINITY
  ): Promise<SeenIds> {
    const kept: Array<{ key: string; id: string; at: number }> = []
    for await (const [key, record] of iterateParsed(store, prefix, SeenRecord, onUnreadable)) {
      if (record.at < nowMs - SEEN_RETENTION_MS) tx.del(key)
      else kept.push({ key, id: record.id, at: record.at })
    }
    kept.sort((a, b) => a.at - b.at)
    for (const { key } of kept.splice(0, Math.max(0, kept.length - maxCount))) tx.del(key)
    const ids = new Map(kept.map(({ id, at }): [string, number] => [id, at]))
    return new SeenIds(
      new StagedMap(ids),
      keys,
      prefix,
      kept.map(({ id, at }) => ({ id, at })),
      maxCount
    )
  }

  has(id: string, tx?: Transaction): boolean {
    return this.ids.has(id, tx)
  }

  add(tx: Transaction, id: string, nowMs: number): void {
    this.ids.set(tx, id, nowMs)
    tx.putJson(this.keys.message(this.prefix, id), { id, at: nowMs })
    this.order.push({ id, at: nowMs })
    while (this.order.length - this.head > this.maxCount || this.expired(nowMs)) {
      const oldest = this.order[this.head++] as { id: string; at: number }
      // Added again since (after a commit that failed): the newer entry keeps it.
      if (oldest.id === id || this.ids.get(oldest.id, tx) !== oldest.at) continue
      this.ids.delete(tx, oldest.id)
      tx.del(this.keys.message(this.prefix, oldest.id))
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
  }

  private expired(nowMs: number): boolean {
    const oldest = this.order[this.head]
    return oldest !== undefined && oldest.at < nowMs - SEEN_RETENTION_MS
  }
}
