import { z } from 'zod'
import type { RecordIds } from '../crypto/protocol-state'
import { type EncryptedStore, delOp, putJson, type StoreOp } from '../storage/encrypted-store'
import { getParsed, iterateParsed } from '../storage/parsed-records'

/*
 * Record keys of the messenger in the account's EncryptedStore. Keys are stored in clear, so every key that
 * names a chat, a contact or a message is an opaque id salted with the account's identity (the crypto layer's
 * RecordIds): holding the store does not let anyone confirm a guessed chat name, key or public message id.
 */

export const CHAT_PREFIX = 'messenger/chat/'
export const JOURNAL_PREFIX = 'messenger/journal/'
export const OUTBOX_PREFIX = 'messenger/outbox/'
export const SEEN_PREFIX = 'messenger/seen/'
export const CONTACT_PREFIX = 'messenger/contact/'
export const NETWORK_SETTINGS_KEY = 'messenger/settings/network'
export const HISTORY_KEY = 'messenger/history'
export const INSTALLATION_KEY = 'messenger/installation'
/** Layout of the keys above: absent for the first one (unsalted hashes), 2 for salted record ids. */
export const RECORDS_VERSION_KEY = 'messenger/records-version'
const RECORDS_VERSION = 2

export type MessagePrefix = typeof JOURNAL_PREFIX | typeof OUTBOX_PREFIX | typeof SEEN_PREFIX

/** The messenger's record keys for one account. */
export class RecordKeys {
  constructor(private readonly ids: RecordIds) {}

  chat(chatId: string): string {
    return CHAT_PREFIX + this.ids.of('chat', chatId)
  }

  contact(publicKey: string): string {
    return CONTACT_PREFIX + this.ids.of('contact', publicKey)
  }

  message(prefix: MessagePrefix, messageId: string): string {
    return prefix + this.ids.of('message', messageId)
  }
}

/** Message ids are "0x" + 64 hex digits. */
export const MessageId = z.string().regex(/^0x[0-9a-f]{64}$/)
/** A non-negative integer that survives JSON (ms timestamps, counters). */
export const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
/** A Lamport clock as stored: a decimal string. */
export const DecimalClock = z.string().regex(/^\d{1,20}$/)

export const InstallationRecord = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) })

const RecordsVersion = z.object({ version: Count })
const OLD_KEY = /^[0-9a-f]{64}$/

/** The records under `prefix` still keyed the first way, with the suffix of their key; unreadable ones stay. */
async function* oldRecords<S extends z.ZodType>(store: EncryptedStore, prefix: string, schema: S): AsyncGenerator<[string, string, z.infer<S>]> {
  for await (const [key, record] of iterateParsed(store, prefix, schema, () => undefined)) {
    const suffix = key.slice(prefix.length)
    if (OLD_KEY.test(suffix)) yield [key, suffix, record]
  }
}

/**
 * Moves a profile made before salted record ids onto them, in one batch with the new version: chats and
 * contacts were keyed by keccak256 of their id, messages by their bare id. A record whose value cannot be read
 * stays where it is (loading then skips and counts it), so nothing readable is lost and nothing is guessed.
 */
export async function migrateRecordKeys(store: EncryptedStore, keys: RecordKeys): Promise<void> {
  const saved = await getParsed(store, RECORDS_VERSION_KEY, RecordsVersion)
  if (saved && saved.version >= RECORDS_VERSION) return
  const ops: StoreOp[] = []
  const move = (from: string, to: string, value: unknown): void => {
    ops.push(delOp(from), putJson(to, value))
  }
  for await (const [key, , chat] of oldRecords(store, CHAT_PREFIX, z.looseObject({ id: z.string() }))) move(key, keys.chat(chat.id), chat)
  for await (const [key, , contact] of oldRecords(store, CONTACT_PREFIX, z.looseObject({ publicKey: z.string() }))) {
    move(key, keys.contact(contact.publicKey), contact)
  }
  for (const prefix of [JOURNAL_PREFIX, OUTBOX_PREFIX] as const) {
    for await (const [key, suffix, record] of oldRecords(store, prefix, z.unknown())) move(key, keys.message(prefix, '0x' + suffix), record)
  }
  // Seen ids were only in the key; the salted key hides them, so the record now carries the id.
  for await (const [key, suffix, { at }] of oldRecords(store, SEEN_PREFIX, z.object({ at: Count }))) {
    move(key, keys.message(SEEN_PREFIX, '0x' + suffix), { id: '0x' + suffix, at })
  }
  ops.push(putJson(RECORDS_VERSION_KEY, { version: RECORDS_VERSION }))
  await store.batch(ops)
}
