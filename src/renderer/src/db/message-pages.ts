import type { Message } from '../../../shared/api'
import type { AccountDatabase } from './account-db'

/**
 * The part of a conversation on screen, as an inclusive range of Lamport clocks (±Infinity for an open
 * end). Ranges rather than counts keep the window stable while messages arrive: a live query over the
 * range picks up new and changed messages without moving what the person is reading.
 */
export interface MessageRange {
  lower: number
  upper: number
}

export const WHOLE_CHAT: MessageRange = { lower: -Infinity, upper: Infinity }

export interface WindowContents {
  messages: Message[]
  /** The range actually shown: a flood of new messages at the open end raises `lower`. */
  range: MessageRange
  hasOlder: boolean
  hasNewer: boolean
}

function byClock(db: AccountDatabase, chatId: string, lower: number, upper: number, include = { lower: true, upper: true }) {
  return db.messages.where('[chatId+clock]').between([chatId, lower], [chatId, upper], include.lower, include.upper)
}

/** The range holding the newest `count` messages. */
export async function latestRange(db: AccountDatabase, chatId: string, count: number): Promise<MessageRange> {
  const newest = await byClock(db, chatId, -Infinity, Infinity).reverse().limit(count).toArray()
  const oldest = newest.at(-1)
  return newest.length < count || !oldest ? WHOLE_CHAT : { lower: oldest.clock, upper: Infinity }
}

/** Adds up to `page` older messages above the range, dropping the newest ones beyond `max`. */
export async function olderRange(db: AccountDatabase, chatId: string, range: MessageRange, page: number, max: number): Promise<MessageRange> {
  if (range.lower === -Infinity) return range
  const older = await byClock(db, chatId, -Infinity, range.lower, { lower: true, upper: false }).reverse().limit(page).toArray()
  const last = older.at(-1)
  const lower = older.length < page || !last ? -Infinity : last.clock
  const kept = await byClock(db, chatId, lower, range.upper).limit(max + 1).toArray()
  const cut = kept[max - 1]
  return kept.length > max && cut ? { lower, upper: cut.clock } : { lower, upper: range.upper }
}

/** Adds up to `page` newer messages below the range, dropping the oldest ones beyond `max`. */
export async function newerRange(db: AccountDatabase, chatId: string, range: MessageRange, page: number, max: number): Promise<MessageRange> {
  if (range.upper === Infinity) return range
  const newer = await byClock(db, chatId, range.upper, Infinity, { lower: false, upper: true }).limit(page).toArray()
  const last = newer.at(-1)
  const upper = newer.length < page || !last ? Infinity : last.clock
  const kept = await byClock(db, chatId, range.lower, upper).reverse().limit(max + 1).toArray()
  const cut = kept[max - 1]
  return kept.length > max && cut ? { lower: cut.clock, upper } : { lower: range.lower, upper }
}

/**
 * Reads a range, never more than `limit` messages. When the range holds more (a burst of new messages
 * while the person follows the conversation, or a history fetch), the end being followed wins and the
 * range shrinks to what is shown, cut between two clocks so paging on reaches every message.
 */
export async function readRange(db: AccountDatabase, chatId: string, range: MessageRange, limit: number): Promise<WindowContents> {
  const followingEnd = range.upper === Infinity
  const query = byClock(db, chatId, range.lower, range.upper)
  let rows = followingEnd ? (await query.reverse().limit(limit).toArray()).reverse() : await query.limit(limit).toArray()
  let shown = range
  if (rows.length === limit) {
    const edge = (followingEnd ? rows[0] : rows.at(-1))?.clock
    const whole = rows.filter((message) => message.clock !== edge)
    const first = whole[0]
    const last = whole.at(-1)
    if (first && last) {
      rows = whole
      shown = followingEnd ? { lower: first.clock, upper: Infinity } : { lower: range.lower, upper: last.clock }
    }
  }
  const older = shown.lower === -Infinity ? undefined : await byClock(db, chatId, -Infinity, shown.lower, { lower: true, upper: false }).last()
  const newer = shown.upper === Infinity ? undefined : await byClock(db, chatId, shown.upper, Infinity, { lower: false, upper: true }).first()
  return { messages: rows, range: shown, hasOlder: older !== undefined, hasNewer: newer !== undefined }
}
