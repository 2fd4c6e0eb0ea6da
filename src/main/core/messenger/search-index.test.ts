import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/api'
import { silentLogger } from '../log/logger'
import { systemTimers } from '../runtime/timers'
import { EncryptedStore } from '../storage/encrypted-store'
import { ChatList } from './chat-list'
import { HistoryStore } from './history-store'
import { hitOf, MessageSearch } from './message-search'
import { SEARCH_PREFIX } from './records'
import { BACKFILL_BATCH, SearchBackfill } from './search-backfill'
import { deriveSearchKey, SearchIndex } from './search-index'
import { indexTerms } from './search-terms'
import { Transaction } from './transaction'
import { testRecordKeys } from '../testing/messenger-parts'

const KEYS = testRecordKeys()

function message(chatId: string, n: number, text: string, fields: Partial<Message> = {}): Message {
  return {
    id: `0x${n.toString(16).padStart(64, '0')}`,
    chatId,
    chatKind: 'public',
    author: { publicKey: `0x04${'ab'.repeat(64)}`, alias: 'Some Person', identicon: { cells: Array.from({ length: 25 }, () => true), color: { r: 1, g: 2, b: 3 } } },
    outgoing: false,
    text,
    clock: n,
    timestamp: 1_700_000_000_000 + n,
    receivedAt: 1_700_000_000_000 + n,
    status: 'received',
    ...fields
  }
}

let dir: string
let store: EncryptedStore
let index: SearchIndex
let history: HistoryStore
let queue: Promise<unknown>
const serial = <T>(task: () => Promise<T>): Promise<T> => {
  const run = queue.then(task, task)
  queue = run.catch(() => undefined)
  return run
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-search-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(5))
  index = new SearchIndex(store, deriveSearchKey(new Uint8Array(32).fill(7)))
  history = new HistoryStore(store, KEYS, undefined, index)
  queue = Promise.resolve()
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

async function put(messages: Message[], into = history): Promise<void> {
  const tx = new Transaction()
  for (const m of messages) into.put(tx, m)
  await tx.commit(store)
}

async function allKeys(): Promise<string[]> {
  const cursor = store.keyCursor('')
  const keys: string[] = []
  for (let key = await cursor.next(); key !== undefined; key = await cursor.next()) keys.push(key)
  await cursor.close()
  return keys
}

describe('SearchIndex', () => {
  it('is written with the history, finds all words newest first, and forgets a deleted chat', async () => {
    await put([message('a', 1, 'meet at the station'), message('b', 2, 'the station is closed'), message('a', 3, 'see you there')])
    expect((await index.find(['station'], 10, 100)).ids).toEqual([message('b', 2, '').id, message('a', 1, '').id])
    expect((await index.find(['station', 'closed'], 10, 100)).ids).toEqual([message('b', 2, '').id])
    expect((await index.find(['station', 'nowhere'], 10, 100)).ids).toEqual([])
    const tx = new Transaction()
    await history.deleteChat(tx, 'b')
    await tx.commit(store)
    expect((await index.find(['station'], 10, 100)).ids).toEqual([message('a', 1, '').id])
  })

  it('finds a rare word with a common one however far apart their postings are', async () => {
    await put([message('a', 1, 'common rare'), ...Array.from({ length: 200 }, (_, i) => message('a', i + 2, 'common'))])
    expect(await index.find(['common', 'rare'], 10, 5)).toEqual({ ids: [message('a', 1, '').id], truncated: false })
    expect(await index.find(['rare', 'common'], 10, 5)).toEqual({ ids: [message('a', 1, '').id], truncated: false })
  })

  it('bounds what it reads and returns, and says so', async () => {
    await put(Array.from({ length: 30 }, (_, i) => message('a', i + 1, `word number${i}`)))
    expect(await index.find(['word'], 5, 100)).toMatchObject({ truncated: true })
    expect((await index.find(['word'], 5, 100)).ids).toHaveLength(5)
    expect(await index.find(['word'], 50, 10)).toMatchObject({ truncated: true })
    expect((await index.find(['word'], 50, 10)).ids).toHaveLength(10)
    expect(await index.find(['word'], 50, 100)).toMatchObject({ truncated: false })
  })

  it('keeps no word of a message in clear in any record key', async () => {
    const text = 'secretword https://private.example/hidden-path مرحبا 東京'
    await put([message('a', 1, text)])
    const keys = (await allKeys()).filter((key) => key.startsWith(SEARCH_PREFIX))
    expect(keys.length).toBe(indexTerms(text).length)
    for (const term of indexTerms(text)) for (const key of keys) expect(key.includes(term)).toBe(false)
    // Another account's key names the same word differently.
    const other = new SearchIndex(store, deriveSearchKey(new Uint8Array(32).fill(8)))
    expect((await other.find(['secretword'], 10, 100)).ids).toEqual([])
  })
})

describe('MessageSearch', () => {
  it('groups hits by joined chat with a snippet and highlights, and leaves out hidden messages and unjoined chats', async () => {
    const chats = await ChatList.load(store, KEYS)
    const tx = new Transaction()
    for (const id of ['a', 'b']) chats.add(tx, { id, kind: 'public', joinedAt: 0, lastClock: '0' })
    await tx.commit(store)
    const long = `${'filler '.repeat(30)}the parcel arrived today ${'more '.repeat(60)}`
    await put([
      message('a', 1, 'parcel one'),
      message('b', 2, long),
      message('a', 3, 'parcel from a blocked person', { author: { publicKey: `0x04${'cd'.repeat(64)}`, alias: 'Blocked', identicon: { cells: Array.from({ length: 25 }, () => true), color: { r: 1, g: 2, b: 3 } } } }),
      message('request', 4, 'parcel in a request')
    ])
    const backfill = new SearchBackfill({ store, serial, timers: systemTimers, log: silentLogger, stopped: () => false }, index)
    const search = new MessageSearch({ chats, messages: history }, index, backfill, (m) => m.author.alias === 'Blocked')
    const result = await search.search('Parcel')
    expect(result.groups.map((g) => [g.chatId, g.hits.map((h) => h.message.clock)])).toEqual([
      ['b', [2]],
      ['a', [1]]
    ])
    const hit = result.groups[0]!.hits[0]!
    expect(hit.snippet.startsWith('…')).toBe(true)
    expect(hit.snippet.length).toBeLessThanOrEqual(202)
    expect(hit.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['parcel'])
    expect(hitOf(message('a', 9, 'Café CAFE'), new Set(['cafe'])).highlights).toEqual([
      [0, 4],
      [5, 9]
    ])
  })
})

describe('SearchBackfill', () => {
  it('indexes history stored before the index, in bounded resumable steps', async () => {
    const plain = new HistoryStore(store, KEYS)
    const total = BACKFILL_BATCH * 2 + 7
    await put(Array.from({ length: total }, (_, i) => message('a', i + 1, `old${i % 3} message`)), plain)
    expect((await index.find(['message'], 1000, 1000)).ids).toHaveLength(0)
    const ctx = { store, serial, timers: systemTimers, log: silentLogger, stopped: () => false }
    const first = new SearchBackfill(ctx, index)
    await first.start()
    first.stop()
    expect(await first.step()).toBe(true)
    expect((await index.find(['message'], 1000, 1000)).ids).toHaveLength(BACKFILL_BATCH)
    // A restart goes on from where the last committed step ended.
    const second = new SearchBackfill(ctx, index)
    await second.start()
    second.stop()
    expect(second.done).toBe(false)
    while (await second.step());
    expect(second.done).toBe(true)
    expect((await index.find(['message'], 1000, 1000)).ids).toHaveLength(total)
    expect((await index.find(['old1'], 1000, 1000)).ids).toHaveLength(Math.floor(total / 3) + (total % 3 > 1 ? 1 : 0))
    const third = new SearchBackfill(ctx, index)
    await third.start()
    expect(third.done).toBe(true)
  })

  it('indexes everything once more when the terms changed, so an index built before finds the new terms', async () => {
    // As version 1 left it: a finished backfill without a version, and history it indexed without the new terms.
    await put([message('a', 1, 'قرأت الكتاب'), message('a', 2, 'hello')], new HistoryStore(store, KEYS))
    const tx = new Transaction()
    tx.putJson('messenger/search-backfill', { done: true })
    await tx.commit(store)
    const ctx = { store, serial, timers: systemTimers, log: silentLogger, stopped: () => false }
    const backfill = new SearchBackfill(ctx, index)
    await backfill.start()
    backfill.stop()
    expect(backfill.done).toBe(false)
    while (await backfill.step());
    expect((await index.find(['كتاب'], 10, 100)).ids).toEqual([message('a', 1, '').id])
    expect((await index.find(['الكتاب'], 10, 100)).ids).toEqual([message('a', 1, '').id])
    const again = new SearchBackfill(ctx, index)
    await again.start()
    expect(again.done).toBe(true)
  })
})
