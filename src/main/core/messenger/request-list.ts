import { z } from 'zod'
import { MAX_REQUEST_MESSAGES, MAX_REQUESTS, PUBLIC_KEY_PATTERN } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { Count, type RecordKeys, REQUEST_PREFIX } from './records'
import { StagedMap, type Transaction } from './transaction'

/** Longest preview kept with a request. */
const PREVIEW_LENGTH = 200

/** A message request as stored; its messages sit in the history under the sender's key as chat id. */
const RequestRecord = z.object({
  /** "0x04…" chat key of the sender, also the chat id their messages are filed under. */
  publicKey: z.string().regex(PUBLIC_KEY_PATTERN),
  firstAt: Count,
  lastAt: Count,
  count: Count,
  preview: z.string().max(PREVIEW_LENGTH)
})
export type RequestRecord = z.infer<typeof RequestRecord>

/**
 * Strangers who wrote to us 1:1, kept in memory and in the store; bounded in number and in messages per
 * request, so a flood of new keys or of messages from one cannot grow the account without limit.
 */
export class RequestList {
  private constructor(
    private readonly requests: StagedMap<RequestRecord>,
    private readonly keys: RecordKeys
  ) {}

  /** Loads every readable request; an unreadable one is reported to `onUnreadable` and left out. */
  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<RequestList> {
    const requests = new Map<string, RequestRecord>()
    for await (const [, record] of iterateParsed(store, REQUEST_PREFIX, RequestRecord, onUnreadable)) requests.set(record.publicKey, record)
    return new RequestList(new StagedMap(requests), keys)
  }

  get(publicKey: string, tx?: Transaction): RequestRecord | undefined {
    return this.requests.get(publicKey, tx)
  }

  /** Newest activity first. */
  all(): RequestRecord[] {
    return [...this.requests.values()].sort((a, b) => b.lastAt - a.lastAt || (a.publicKey < b.publicKey ? -1 : 1))
  }

  /**
   * Notes a new message from `publicKey`. Returns the reason when it must be dropped instead: too many
   * requests are open, or this one holds as many messages as it may.
   */
  note(tx: Transaction, publicKey: string, text: string, at: number): 'REQUEST_LIMIT' | 'REQUEST_FULL' | null {
    const existing = this.requests.get(publicKey, tx)
    if (!existing && this.requests.size >= MAX_REQUESTS) return 'REQUEST_LIMIT'
    if (existing && existing.count >= MAX_REQUEST_MESSAGES) return 'REQUEST_FULL'
    const preview = text.slice(0, PREVIEW_LENGTH)
    const record: RequestRecord = existing
      ? { ...existing, count: existing.count + 1, ...(at >= existing.lastAt ? { lastAt: at, preview } : {}) }
      : { publicKey, firstAt: at, lastAt: at, count: 1, preview }
    this.requests.set(tx, publicKey, record)
    tx.putJson(this.keys.request(publicKey), record)
    return null
  }

  remove(tx: Transaction, publicKey: string): void {
    this.requests.delete(tx, publicKey)
    tx.del(this.keys.request(publicKey))
  }
}
