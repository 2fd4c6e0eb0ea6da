import type { HistoryWindow, Message, MessageRange } from '../../../shared/api'
import { z } from 'zod'
import type { EncryptedStore, IterateRange } from '../storage/encrypted-store'
import { getParsed, iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { ChatId, clockKey, clockOfKey, Count, MESSAGE_INDEX_PREFIX, MessageId, type RecordKeys, StoredMessage } from './records'
import type { SearchIndex } from './search-index'
import type { Transaction } from './transaction'

/** Where a message sits: enough to find its record from its id. */
const IndexEntry = z.object({ id: MessageId, chatId: ChatId, clock: Count })
type IndexEntry = z.infer<typeof IndexEntry>

/**
 * Every message of the account, once, in the account's EncryptedStore: `messenger/history/<chat>/<2^64 - clock>/<message>`
 * holds the message (ordered by chat, then newest clock first, the order a conversation is opened and paged:
 * LevelDB reads forwards much faster than backwards, and the page read most, a chat's newest, is then a
 * forward scan from the chat's first key), `messenger/message/<message>` says where it is; chat and message
 * are salted record ids (records.ts). Writes are staged into the Transaction of the protocol step that
 * produced them; reads go to the store, so they see what is committed, and check every record against its
 * schema: an unreadable one is left out of the page and reported. Nothing is cached: a page is a bounded
 * range read, whatever the size of the history.
 */
export class HistoryStore {
  constructor(
    private readonly store: EncryptedStore,
    private readonly keys: RecordKeys,
    private readonly onUnreadable?: OnUnreadable,
    /** Kept in the same transaction as every write of the history. */
    readonly index?: SearchIndex
  ) {}

  /** Stages `message` (new, or a new state of a stored one: its chat, clock and text never change). */
  put(tx: Transaction, message: Message): void {
    this.index?.add(tx, message)
    tx.putJson(this.keys.historyRow(message.chatId, message.clock, message.id), message)
    tx.putJson(this.keys.message(MESSAGE_INDEX_PREFIX, message.id), { id: message.id, chatId: message.chatId, clock: message.clock } satisfies IndexEntry)
  }

  async get(id: string): Promise<Message | undefined> {
    const where = await getParsed(this.store, this.keys.message(MESSAGE_INDEX_PREFIX, id), IndexEntry, this.onUnreadable)
    return where ? getParsed(this.store, this.keys.historyRow(where.chatId, where.clock, id), StoredMessage, this.onUnreadable) : undefined
  }

  async has(id: string): Promise<boolean> {
    return (await this.store.get(this.keys.message(MESSAGE_INDEX_PREFIX, id))) !== undefined
  }

  /** The newest message of a chat, if it has any. */
  async newest(chatId: string): Promise<Message | undefined> {
    return (await this.slice(chatId, OPEN, { reverse: true, limit: 1 }))[0]
  }

  /** Stages the removal of every message of a chat. */
  async deleteChat(tx: Transaction, chatId: string): Promise<void> {
    // An unreadable row goes too (its index entry, named by an id the row no longer tells, stays behind).
    const dropUnreadable: OnUnreadable = (error) => {
      if (error.recordKey !== undefined) tx.del(error.recordKey)
    }
    for await (const [key, message] of iterateParsed(this.store, this.keys.history(chatId), StoredMessage, dropUnreadable)) {
      tx.del(key)
      tx.del(this.keys.message(MESSAGE_INDEX_PREFIX, message.id))
      this.index?.remove(tx, message)
    }
  }

  /** The range holding the newest `count` messages. */
  async latestRange(chatId: string, count: number): Promise<MessageRange> {
    const newest = await this.clocks(chatId, OPEN, { reverse: true, limit: count })
    const oldest = newest.at(-1)
    return newest.length < count || oldest === undefined ? OPEN : { lower: oldest, upper: null }
  }

  /** Adds up to `page` older messages above the range, dropping the newest ones beyond `max`. */
  async olderRange(chatId: string, range: MessageRange, page: number, max: number): Promise<MessageRange> {
    if (range.lower === null) return range
    const older = await this.clocks(chatId, { lower: null, upper: range.lower }, { reverse: true, limit: page, upperExclusive: true })
    const last = older.at(-1)
    const lower = older.length < page || last === undefined ? null : last
    const kept = await this.clocks(chatId, { lower, upper: range.upper }, { limit: max + 1 })
    const cut = kept[max - 1]
    return kept.length > max && cut !== undefined ? { lower, upper: cut } : { lower, upper: range.upper }
  }

  /** Adds up to `page` newer messages below the range, dropping the oldest ones beyond `max`. */
  async newerRange(chatId: string, range: MessageRange, page: number, max: number): Promise<MessageRange> {
    if (range.upper === null) return range
    const newer = await this.clocks(chatId, { lower: range.upper, upper: null }, { limit: page, lowerExclusive: true })
    const last = newer.at(-1)
    const upper = newer.length < page || last === undefined ? null : last
    const kept = await this.clocks(chatId, { lower: range.lower, upper }, { reverse: true, limit: max + 1 })
    const cut = kept[max - 1]
    return kept.length > max && cut !== undefined ? { lower: cut, upper } : { lower: range.lower, upper }
  }

  /**
   * The range of about `page` messages with message `id` in the middle, or undefined when the chat does not
   * hold it. An end that reaches the first or newest message is left open, so the window follows new ones.
   */
  async aroundRange(chatId: string, id: string, page: number): Promise<MessageRange | undefined> {
    const target = await this.get(id)
    if (!target || target.chatId !== chatId) return undefined
    const half = Math.max(1, Math.floor(page / 2))
    // The target and up to `half` older messages, newest first; one more says whether history goes on.
    const older = await this.slice(chatId, { lower: null, upper: target.clock }, { reverse: true, limit: half + 2 })
    const newer = await this.slice(chatId, { lower: target.clock, upper: null }, { limit: half + 1, lowerExclusive: true })
    const lower = older.length <= half + 1 ? null : (older[half]?.clock ?? null)
    const upper = newer.length <= half ? null : (newer[half - 1]?.clock ?? null)
    return { lower, upper }
  }

  /**
   * Reads a range, never more than `limit` messages. When the range holds more (a burst of new messages
   * while the person follows the conversation, or a history fetch), the end being followed wins and the
   * range shrinks to what is shown, cut between two clocks so paging on reaches every message.
   */
  async read(chatId: string, range: MessageRange, limit: number): Promise<HistoryWindow> {
    const followingEnd = range.upper === null
    // One row more than asked says, without another scan, whether the range goes on past the page.
    const fetched = await this.slice(chatId, range, { reverse: followingEnd, limit: limit + 1 })
    const beyond = fetched.length > limit
    let rows = fetched.slice(0, limit)
    if (followingEnd) rows.reverse()
    let shown = range
    let cut = false
    if (rows.length === limit) {
      const edge = (followingEnd ? rows[0] : rows.at(-1))?.clock
      const whole = rows.filter((message) => message.clock !== edge)
      const first = whole[0]
      const last = whole.at(-1)
      if (first && last) {
        rows = whole
        cut = true
        shown = followingEnd ? { lower: first.clock, upper: null } : { lower: range.lower, upper: last.clock }
      }
    }
    const older = (lower: number | null) => lower !== null && this.clocks(chatId, { lower: null, upper: lower }, { limit: 1, upperExclusive: true }).then((r) => r.length > 0)
    const newer = (upper: number | null) => upper !== null && this.clocks(chatId, { lower: upper, upper: null }, { limit: 1, lowerExclusive: true }).then((r) => r.length > 0)
    const hasOlder = followingEnd && (beyond || cut) ? true : await older(shown.lower)
    const hasNewer = !followingEnd && (beyond || cut) ? true : await newer(shown.upper)
    return { messages: rows, range: shown, hasOlder, hasNewer }
  }

  /** Messages of a chat with clocks in `range` (inclusive unless told), in clock order or reversed (newest first). */
  private async slice(chatId: string, range: MessageRange, options: SliceOptions): Promise<Message[]> {
    const rows: Message[] = []
    if (options.limit <= 0) return rows
    const { prefix, keyRange } = this.keyRange(chatId, range, options)
    for await (const [, message] of iterateParsed(this.store, prefix, StoredMessage, this.onUnreadable ?? (() => undefined), keyRange)) {
      rows.push(message)
    }
    return rows
  }

  /** The clocks `slice` would read, from the keys alone: nothing is decrypted or parsed to page or probe. */
  private async clocks(chatId: string, range: MessageRange, options: SliceOptions): Promise<number[]> {
    const clocks: number[] = []
    if (options.limit <= 0) return clocks
    const { prefix, keyRange } = this.keyRange(chatId, range, options)
    for await (const key of this.store.keys(prefix, keyRange)) clocks.push(clockOfKey(key.slice(prefix.length)))
    return clocks
  }

  private keyRange(chatId: string, range: MessageRange, options: SliceOptions): { prefix: string; keyRange: IterateRange } {
    const prefix = this.keys.history(chatId)
    const keyRange: IterateRange = { reverse: !(options.reverse ?? false), limit: options.limit }
    // Keys run newest first: the upper clock bound starts the key range, the lower one ends it.
    if (range.upper !== null) keyRange.from = prefix + clockKey(options.upperExclusive ? BigInt(range.upper) - 1n : BigInt(range.upper))
    if (range.lower !== null) keyRange.to = prefix + clockKey(options.lowerExclusive ? BigInt(range.lower) : BigInt(range.lower) - 1n)
    return { prefix, keyRange }
  }

}

const OPEN: MessageRange = { lower: null, upper: null }

interface SliceOptions {
  reverse?: boolean
  limit: number
  lowerExclusive?: boolean
  upperExclusive?: boolean
}
