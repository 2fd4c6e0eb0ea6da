import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import type { HushClient } from '../../../shared/api/client'
import { MAX_SHOWN_LENGTH } from '../features/chats/message-text'
import { forgetLegacyHistory } from './legacy-history'

const author = { publicKey: `0x04${'7'.repeat(128)}`, alias: 'Old Author', identicon: { cells: Array.from({ length: 25 }, () => true), color: { r: 1, g: 2, b: 3 } } }
const base = { chatId: 'hush-test', chatKind: 'public', author, outgoing: false, status: 'received', receivedAt: 1, timestamp: 1 }

async function seedLegacy(accountId: string, records: unknown[]): Promise<void> {
  const db = new Dexie(`hush-account-${accountId}`)
  db.version(1).stores({ messages: 'id, [chatId+clock]', chats: 'chatId, lastActivity', drafts: 'chatId' })
  await db.table('messages').bulkPut(records)
  db.close()
}

function recordingClient(): { client: HushClient; imported: unknown[][] } {
  const imported: unknown[][] = []
  const client = {
    call: async (method: string, args: { messages: unknown[] }) => {
      expect(method).toBe('history.import')
      imported.push(args.messages)
      return { ok: true, value: { imported: args.messages.length } }
    },
    on: () => () => {}
  } as unknown as HushClient
  return { client, imported }
}

describe('handing an old browser history to main', () => {
  it('leaves behind records that are not messages, clips unbounded text, and deletes the database', async () => {
    await seedLegacy('a1', [
      { ...base, id: '0x01', clock: 1, text: 'kept as it was' },
      { ...base, id: '0x02', clock: 2, text: ')'.repeat(1024 * 1024), timestamp: 2 ** 63 - 1 },
      { ...base, id: '0x03', clock: 3, text: 'no author', author: undefined },
      { id: '0x04', chatId: 'hush-test', clock: 4 }
    ])
    const { client, imported } = recordingClient()
    await forgetLegacyHistory('a1', client)
    const sent = imported.flat() as Array<{ id: string; text: string }>
    expect(sent.map((message) => message.id)).toEqual(['0x01', '0x02'])
    expect(sent[0]?.text).toBe('kept as it was')
    expect(sent[1]?.text.length).toBeLessThanOrEqual(MAX_SHOWN_LENGTH)
    expect((await indexedDB.databases()).map((info) => info.name)).not.toContain('hush-account-a1')
  })

  it('sends large histories in batches the contract accepts', async () => {
    await seedLegacy('a2', Array.from({ length: 1201 }, (_, n) => ({ ...base, id: `0x${n.toString(16).padStart(4, '0')}`, clock: n, text: `m${n}` })))
    const { client, imported } = recordingClient()
    await forgetLegacyHistory('a2', client)
    expect(imported.map((batch) => batch.length)).toEqual([500, 500, 201])
  })
})
