import { z } from 'zod'
import { Message } from '../../../shared/api'
import type { RecordIds } from '../crypto/protocol-state'
import { delOp, type EncryptedStore, putJson, StoreError, type StoreOp } from '../storage/encrypted-store'
import { getParsed, iterateParsed, type OnUnreadable } from '../storage/parsed-records'

/*
 * Record keys of the messenger in the account's EncryptedStore. Keys are stored in clear, so every key part
 * that names a chat, a contact or a message is an opaque id salted with the account's identity (the crypto
 * layer's RecordIds): holding the store does not let anyone confirm a guessed chat name, chat key or public
 * message id. Every value says what it is about (the id is inside, encrypted), so loading needs no key part.
 */

export const CHAT_PREFIX = 'messenger/chat/'
/** Where the renderer's hand-off journal was kept before main owned the history: read once, to migrate. */
export const JOURNAL_PREFIX = 'messenger/journal/'
export const HISTORY_PREFIX = 'messenger/history/'
export const MESSAGE_INDEX_PREFIX = 'messenger/message/'
export const OUTBOX_PREFIX = 'messenger/outbox/'
export const SEEN_PREFIX = 'messenger/seen/'
/** Hashes of direct envelopes already processed: a replay is skipped before decryption. */
export const ENVELOPE_PREFIX = 'messenger/envelope/'
export const CONTACT_PREFIX = 'messenger/contact/'
export const GROUP_PREFIX = 'messenger/group/'
export const NETWORK_SETTINGS_KEY = 'messenger/settings/network'
export const HISTORY_KEY = 'messenger/history'
export const INSTALLATION_KEY = 'messenger/installation'
/** Layout of the keys above: absent for the first one (unsalted hashes and bare message ids), 2 for salted ids. */
export const RECORDS_VERSION_KEY = 'messenger/records-version'
const RECORDS_VERSION = 2
export const BLOCKED_PREFIX = 'messenger/blocked/'
export const REQUEST_PREFIX = 'messenger/request/'
/** Search postings: keys hold only keyed hashes of words (search-index.ts). */
export const SEARCH_PREFIX = 'messenger/search/'
export const SEARCH_BACKFILL_KEY = 'messenger/search-backfill'

type MessagePrefix = typeof OUTBOX_PREFIX | typeof SEEN_PREFIX | typeof ENVELOPE_PREFIX | typeof MESSAGE_INDEX_PREFIX

/**
 * Clocks in history keys: 2^64 minus the clock, in fixed-width hex, so key order is newest first (see
 * history-store.ts). 17 digits hold every clock a uint64 field can carry once turned into a JSON number.
 */
const CLOCK_DIGITS = 17
const CLOCK_END = 1n << 64n

/** The messenger's record keys for one account. */
export class RecordKeys {
  constructor(private readonly ids: RecordIds) {}

  chat(chatId: string): string {
    return CHAT_PREFIX + this.ids.of('chat', chatId)
  }

  contact(publicKey: string): string {
    return CONTACT_PREFIX + this.ids.of('contact', publicKey)
  }

  blocked(publicKey: string): string {
    return BLOCKED_PREFIX + this.ids.of('blocked', publicKey)
  }

  request(publicKey: string): string {
    return REQUEST_PREFIX + this.ids.of('request', publicKey)
  }

  group(groupId: string): string {
    return GROUP_PREFIX + this.ids.of('group', groupId)
  }

  message(prefix: MessagePrefix, messageId: string): string {
    return prefix + this.ids.of('message', messageId)
  }

  /** Every history row of a chat starts with this. */
  history(chatId: string): string {
    return `${HISTORY_PREFIX}${this.ids.of('chat', chatId)}/`
  }

  historyRow(chatId: string, clock: number, messageId: string): string {
    return `${this.history(chatId)}${clockKey(BigInt(Math.max(0, Math.floor(clock))))}/${this.ids.of('message', messageId)}`
  }
}

/** The key part of a clock; clocks outside [0, 2^64] (none come from a uint64) are clamped into it. */
export function clockKey(clock: bigint): string {
  const clamped = clock < 0n ? 0n : clock > CLOCK_END ? CLOCK_END : clock
  return (CLOCK_END - clamped).toString(16).padStart(CLOCK_DIGITS, '0')
}

/** The clock a history key part stands for (the inverse of clockKey). */
export function clockOfKey(part: string): number {
  return Number(CLOCK_END - BigInt(`0x${part.slice(0, CLOCK_DIGITS)}`))
}

/** Message ids are "0x" + 64 hex digits. */
export const MessageId = z.string().regex(/^0x[0-9a-f]{64}$/)
/** A non-negative integer that survives JSON (ms timestamps, counters). */
export const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
/** A Lamport clock as stored in chat and contact records: a decimal string. */
export const DecimalClock = z.string().regex(/^\d{1,20}$/)
/** A chat id: a public chat's name or a 1:1 partner's "0x04…" key (the API's own bound). */
export const ChatId = z.string().min(1).max(300)

/** A message as stored: the API's shape, with the bounds a stored record must keep. */
export const StoredMessage = Message.extend({ id: MessageId, chatId: ChatId, text: z.string().max(65_536), clock: Count, responseTo: z.string().max(1024).optional() })

export const InstallationRecord = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) })

/** How many old records one migration batch moves: the history can hold millions. */
const MIGRATION_BATCH = 2_000
const OLD_HASH = /^[0-9a-f]{64}$/
const OLD_HISTORY_ROW = /^([0-9a-f]{64})\/[0-9a-f]{17}\/[0-9a-f]{64}$/
const RecordsVersion = z.object({ version: Count })
const NamedByChatId = z.object({ id: ChatId })
const NamedByPublicKey = z.object({ publicKey: z.string().max(200) })
const NamedByMessage = z.object({ message: z.object({ id: MessageId }) })
const SeenAt = z.object({ at: Count })
const IndexEntry = z.object({ chatId: ChatId, clock: Count })
const HistoryRow = z.object({ id: MessageId, chatId: ChatId, clock: Count })

/**
 * Moves a profile made before salted record ids onto them: chats and contacts were keyed by keccak256 of
 * their id, history rows by keccak256 of their chat and their bare message id, the other message records by
 * the bare id. Each record moves in the batch that deletes its old key, in batches of MIGRATION_BATCH; old keys
 * are told apart by their shape, so a migration cut short resumes where it stopped, and the version record
 * goes last. A record whose value cannot be read stays where it is and is reported to `onUnreadable`, so
 * nothing readable is lost and nothing is guessed.
 */
export async function migrateRecordKeys(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<void> {
  const saved = await getParsed(store, RECORDS_VERSION_KEY, RecordsVersion, onUnreadable)
  if (saved && saved.version >= RECORDS_VERSION) return
  let ops: StoreOp[] = []
  const move = async (from: string, to: string, value: unknown): Promise<void> => {
    ops.push(delOp(from), putJson(to, value))
    if (ops.length >= 2 * MIGRATION_BATCH) {
      await store.batch(ops, { sync: true })
      ops = []
    }
  }
  /** Old records under `prefix`: key, key suffix, the value as stored (moved as is) and what names it. */
  async function* old<S extends z.ZodType>(prefix: string, schema: S, shape = OLD_HASH): AsyncGenerator<[string, string, unknown, z.infer<S>]> {
    // Records already under salted keys are read (and reported if unreadable) by their owners, not here.
    const unreadableOld: OnUnreadable = (error) => {
      if (shape.test((error.recordKey ?? '').slice(prefix.length))) onUnreadable?.(error)
    }
    for await (const [key, stored] of iterateParsed(store, prefix, z.unknown(), unreadableOld)) {
      const suffix = key.slice(prefix.length)
      if (!shape.test(suffix)) continue
      const named = schema.safeParse(stored)
      if (named.success) yield [key, suffix, stored, named.data]
      else unreadableOld(new StoreError('VALUE_CORRUPT', `stored value for "${key}" does not say what it is about`, key))
    }
  }
  for await (const [key, , stored, chat] of old(CHAT_PREFIX, NamedByChatId)) await move(key, keys.chat(chat.id), stored)
  for await (const [key, , stored, contact] of old(CONTACT_PREFIX, NamedByPublicKey)) await move(key, keys.contact(contact.publicKey), stored)
  for await (const [key, , stored, entry] of old(OUTBOX_PREFIX, NamedByMessage)) await move(key, keys.message(OUTBOX_PREFIX, entry.message.id), stored)
  // Seen ids and index entries were named only by their key; the salted key hides the id, so the record now carries it.
  for await (const [key, suffix, , seen] of old(SEEN_PREFIX, SeenAt)) await move(key, keys.message(SEEN_PREFIX, `0x${suffix}`), { id: `0x${suffix}`, at: seen.at })
  for await (const [key, suffix, , where] of old(MESSAGE_INDEX_PREFIX, IndexEntry)) {
    await move(key, keys.message(MESSAGE_INDEX_PREFIX, `0x${suffix}`), { id: `0x${suffix}`, chatId: where.chatId, clock: where.clock })
  }
  for await (const [key, , stored, row] of old(HISTORY_PREFIX, HistoryRow, OLD_HISTORY_ROW)) await move(key, keys.historyRow(row.chatId, row.clock, row.id), stored)
  ops.push(putJson(RECORDS_VERSION_KEY, { version: RECORDS_VERSION }))
  await store.batch(ops, { sync: true })
}
