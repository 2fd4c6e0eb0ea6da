import Dexie, { type Table } from 'dexie'
import { Message } from '../../../shared/api'
import type { HushClient } from '../../../shared/api/client'
import { clipText } from '../features/chats/message-text'

/** Below the contract's bound of 500 messages per history.import. */
const BATCH = 500

/** The per-account database renderers kept before main owned the history (schema version 1). */
function legacyName(accountId: string): string {
  return `hush-account-${accountId}`
}

/**
 * What of a batch of old records main can take: records older versions stored were never bounded, so one
 * that is not a message is left behind (rather than refusing the whole batch) and text is clipped to what the
 * timeline would show anyway.
 */
function importable(records: readonly unknown[]): Message[] {
  return records.flatMap((record) => {
    const parsed = Message.safeParse(record)
    return parsed.success ? [{ ...parsed.data, text: clipText(parsed.data.text) }] : []
  })
}

/**
 * Renderers used to keep the history in IndexedDB, in clear, as its only copy. If this profile still has
 * such a database for the account, its messages go to main (which keeps those of joined chats it lacks)
 * and then the database is deleted, so no message text stays in the browser's storage.
 */
export async function forgetLegacyHistory(accountId: string, client: HushClient): Promise<void> {
  const name = legacyName(accountId)
  if (!(await indexedDB.databases()).some((info) => info.name === name)) return
  const db = new Dexie(name)
  db.version(1).stores({ messages: 'id, [chatId+clock]', chats: 'chatId, lastActivity', drafts: 'chatId' })
  try {
    const messages: Table<unknown, string> = db.table('messages')
    let after: string | null = null
    for (;;) {
      const batch: unknown[] = await (after === null ? messages.orderBy('id') : messages.where('id').above(after)).limit(BATCH).toArray()
      const last = batch.at(-1) as { id: string } | undefined
      if (!last) break
      const result = await client.call('history.import', { messages: importable(batch) })
      if (!result.ok) throw new Error(result.error.message)
      after = last.id
    }
  } finally {
    db.close()
  }
  await Dexie.delete(name)
}
