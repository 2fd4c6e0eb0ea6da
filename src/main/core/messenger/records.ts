import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { keccak256 } from '../primitives/keccak'
import { type EncryptedStore, type IterateRange, StoreError } from '../storage/encrypted-store'

/*
 * Record keys of the messenger in the account's EncryptedStore. Keys are stored in clear, so anything that
 * would tell who the account talks to (chat keys, channel names) is hashed; message ids are hashes already.
 */

export const CHAT_PREFIX = 'messenger/chat/'
/** Where the renderer's hand-off journal was kept before main owned the history: read once, to migrate. */
export const JOURNAL_PREFIX = 'messenger/journal/'
export const HISTORY_PREFIX = 'messenger/history/'
export const MESSAGE_INDEX_PREFIX = 'messenger/message/'
export const OUTBOX_PREFIX = 'messenger/outbox/'
export const SEEN_PREFIX = 'messenger/seen/'
export const CONTACT_PREFIX = 'messenger/contact/'
export const NETWORK_SETTINGS_KEY = 'messenger/settings/network'
export const HISTORY_KEY = 'messenger/history'
export const INSTALLATION_KEY = 'messenger/installation'
export const BLOCKED_PREFIX = 'messenger/blocked/'
export const REQUEST_PREFIX = 'messenger/request/'
/** Search postings: keys hold only keyed hashes of words (search-index.ts). */
export const SEARCH_PREFIX = 'messenger/search/'
export const SEARCH_BACKFILL_KEY = 'messenger/search-backfill'

/** A chat's name in record keys. */
export function chatHash(chatId: string): string {
  return bytesToHex(keccak256(utf8ToBytes(chatId)))
}

export function chatRecordKey(chatId: string): string {
  return CHAT_PREFIX + chatHash(chatId)
}

export function contactRecordKey(publicKey: string): string {
  return CONTACT_PREFIX + bytesToHex(keccak256(utf8ToBytes(publicKey)))
}

/** A chat key in record keys (contacts, blocked keys, requests). */
export function keyRecordKey(prefix: string, publicKey: string): string {
  return prefix + bytesToHex(keccak256(utf8ToBytes(publicKey)))
}

/** Message ids are "0x" + 64 hex digits. */
export function messageRecordKey(prefix: string, messageId: string): string {
  return prefix + messageId.replace(/^0x/, '')
}

/** Every JSON record under `prefix` (within `range`), in key order. */
export async function* iterateJson<T>(store: EncryptedStore, prefix: string, range: IterateRange = {}): AsyncGenerator<[string, T]> {
  for await (const [key, value] of store.iterate(prefix, range)) {
    let record: T
    try {
      record = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value)) as T
    } catch (error) {
      throw new StoreError('VALUE_CORRUPT', `stored value for "${key}" is not valid JSON`, key, { cause: error })
    }
    yield [key, record]
  }
}
