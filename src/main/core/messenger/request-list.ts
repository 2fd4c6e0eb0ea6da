import { MAX_REQUEST_MESSAGES, MAX_REQUESTS } from '../../../shared/api'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateJson, keyRecordKey, REQUEST_PREFIX } from './records'
import { StagedMap, type Transaction } from './transaction'

/** A message request as stored; its messages sit in the history under the sender's key as chat id. */
export interface RequestRecord {
  /** "0x04…" chat key of the sender, also the chat id their messages are filed under. */
  publicKey: string
  firstAt: number
  lastAt: number
  count: number
  preview: string
}

/** Longest preview kept with a request. */
const PREVIEW_LENGTH = 200

/**
 * Strangers who wrote to us 1:1, kept in memory and in the store; bounded in number and in messages per
 * request, so a flood of new keys or of messages from one cannot grow the account without limit.
 */
export class RequestList {
  private constructor(private readonly requests: StagedMap<RequestRecord>) {}

  static async load(store: EncryptedStore): Promise<RequestList> {
    const requests = new Map<string, RequestRecord>()
    for await (const [, record] of iterateJson<RequestRecord>(store, REQUEST_PREFIX)) requests.set(record.publicKey, record)
    return new RequestList(new StagedMap(requests))
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
    tx.putJson(keyRecordKey(REQUEST_PREFIX, publicKey), record)
    return null
  }

  remove(tx: Transaction, publicKey: string): void {
    this.requests.delete(tx, publicKey)
    tx.del(keyRecordKey(REQUEST_PREFIX, publicKey))
  }
}
