import { createHmac } from 'node:crypto'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import type { Message } from '../../../shared/api'
import { type EncryptedStore, type KeyCursor, putOp } from '../storage/encrypted-store'
import { SEARCH_PREFIX } from './records'
import { indexTerms } from './search-terms'
import type { Transaction } from './transaction'

const SEARCH_KEY_INFO = utf8ToBytes('hush/search-index/v1')
/** Bytes of the keyed hash naming a word in record keys. */
const TERM_HASH_BYTES = 12
/** Milliseconds in 12 hex digits reach the year 10889. */
const TIME_DIGITS = 12
const TIME_END = 16 ** TIME_DIGITS - 1
const EMPTY = new Uint8Array(0)

/** The per-account key the index names words with: from the chat key, like the store key, under its own label. */
export function deriveSearchKey(chatPrivateKey: Uint8Array): Uint8Array {
  return hkdf(sha256, chatPrivateKey, undefined, SEARCH_KEY_INFO, 32)
}

/**
 * An inverted index of the history in the account's EncryptedStore, written in the same transaction as the
 * message it indexes. One record per (word, message):
 * `messenger/search/<HMAC-SHA256(search key, word), 12 bytes>/<2^48 - 1 - time, hex>/<message id>`, newest first.
 * Record keys are stored in clear, so a word never appears in one: without the account's key, the index
 * shows how many distinct words there are, how often each occurs and which messages share one (and when),
 * but not what any word is. Values are empty, sealed like every value of the store. Only main reads it.
 */
export class SearchIndex {
  constructor(
    private readonly store: EncryptedStore,
    private readonly key: Uint8Array
  ) {}

  add(tx: Transaction, message: Message): void {
    tx.add(this.postings(message).map((key) => putOp(key, EMPTY)))
  }

  remove(tx: Transaction, message: Message): void {
    for (const key of this.postings(message)) tx.del(key)
  }

  /**
   * Ids of messages holding every term, newest first, at most `limit`. Every term's postings run in the
   * same order (time, then id), so they are intersected as they are read, each skipping ahead to where the
   * others are: a rare word with a common one costs about as many reads as the rare word has postings.
   * Reading stops once `limit` ids matched, or after `scanLimit` reads of any one term (`truncated` then
   * says more may match). A match `accept` refuses (a message the caller will not show) takes no place.
   */
  async find(
    terms: readonly string[],
    limit: number,
    scanLimit: number,
    accept: (id: string) => Promise<boolean> = async () => true
  ): Promise<{ ids: string[]; truncated: boolean }> {
    if (terms.length === 0) return { ids: [], truncated: false }
    const cursors = terms.map((term) => new PostingCursor(this.store, `${SEARCH_PREFIX}${this.termHash(term)}/`, scanLimit))
    const ids: string[] = []
    let truncated = false
    try {
      for (const cursor of cursors) await cursor.next()
      // Leapfrog: every cursor seeks to the furthest posting any of them is at, until all stand on one.
      while (cursors.every((cursor) => cursor.current !== undefined)) {
        const furthest = cursors.reduce((max, cursor) => (cursor.current! > max ? cursor.current! : max), '')
        if (cursors.every((cursor) => cursor.current === furthest)) {
          const id = `0x${furthest.slice(TIME_DIGITS + 1)}`
          if (await accept(id)) {
            if (ids.length === limit) {
              truncated = true
              break
            }
            ids.push(id)
          }
          for (const cursor of cursors) await cursor.next()
        } else {
          for (const cursor of cursors) if (cursor.current! < furthest) await cursor.seek(furthest)
        }
      }
      truncated ||= cursors.some((cursor) => cursor.cut)
    } finally {
      await Promise.all(cursors.map((cursor) => cursor.close()))
    }
    return { ids, truncated }
  }

  private postings(message: Message): string[] {
    const time = (TIME_END - Math.max(0, Math.min(TIME_END, Math.floor(Math.min(message.timestamp, message.receivedAt))))).toString(16).padStart(TIME_DIGITS, '0')
    const id = message.id.replace(/^0x/, '')
    return indexTerms(message.text).map((term) => `${SEARCH_PREFIX}${this.termHash(term)}/${time}/${id}`)
  }

  private termHash(term: string): string {
    return createHmac('sha256', this.key).update(term, 'utf8').digest('hex').slice(0, TERM_HASH_BYTES * 2)
  }
}

/** One term's postings in key order, as "<time>/<id>"; gives up after `limit` reads (`cut`). */
class PostingCursor {
  current: string | undefined
  /** Stopped at the limit with postings perhaps left. */
  cut = false
  private reads = 0
  private readonly keys: KeyCursor

  constructor(store: EncryptedStore, private readonly prefix: string, private readonly limit: number) {
    this.keys = store.keyCursor(prefix)
  }

  next(): Promise<void> {
    return this.take()
  }

  /** To the first posting at or after `posting`. */
  seek(posting: string): Promise<void> {
    this.keys.seek(this.prefix + posting)
    return this.take()
  }

  close(): Promise<void> {
    return this.keys.close()
  }

  private async take(): Promise<void> {
    if (++this.reads > this.limit) {
      this.cut = true
      this.current = undefined
      return
    }
    const key = await this.keys.next()
    this.current = key?.slice(this.prefix.length)
  }
}
