import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_REQUEST_MESSAGES, type Message } from '../../../shared/api'
import { silentLogger } from '../log/logger'
import { systemTimers } from '../runtime/timers'
import { EncryptedStore } from '../storage/encrypted-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { ChatList } from './chat-list'
import { HistoryStore } from './history-store'
import { DEFAULT_SEARCH_RESULTS, hitOf, MessageSearch } from './message-search'
import { SearchBackfill } from './search-backfill'
import { deriveSearchKey, SearchIndex } from './search-index'
import { Transaction } from './transaction'

/*
 * Search on hostile history: what strangers and blocked keys wrote is in the index (a message request is
 * stored under the sender's key, a blocked key's old messages stay), and must not push the person's own
 * chats out of the results.
 */

const KEYS = testRecordKeys()
const friend = `0x04${'ab'.repeat(64)}`
const stranger = `0x04${'cd'.repeat(64)}`
const identicon = { cells: Array.from({ length: 25 }, () => true), color: { r: 1, g: 2, b: 3 } }

function message(chatId: string, n: number, text: string, author = friend): Message {
  return {
    id: `0x${n.toString(16).padStart(64, '0')}`,
    chatId,
    chatKind: chatId.startsWith('0x04') ? 'one-to-one' : 'public',
    author: { publicKey: author, alias: 'Someone', identicon },
    outgoing: false,
    text,
    clock: n,
    timestamp: 1_700_000_000_000 + n,
    receivedAt: 1_700_000_000_000 + n,
    status: 'received'
  }
}

let dir: string
let store: EncryptedStore
let queue: Promise<unknown> = Promise.resolve()
const serial = <T>(task: () => Promise<T>): Promise<T> => {
  const run = queue.then(task, task)
  queue = run.catch(() => undefined)
  return run
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-search-attack-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(5))
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('MessageSearch under attack', () => {
  it('a stranger’s message request full of a common word does not hide the matches in joined chats', async () => {
    const index = new SearchIndex(store, deriveSearchKey(new Uint8Array(32).fill(7)))
    const history = new HistoryStore(store, KEYS, undefined, index)
    const chats = await ChatList.load(store, KEYS)
    const tx = new Transaction()
    chats.add(tx, { id: 'hiking', kind: 'public', joinedAt: 1, lastClock: '0' })
    // The friend's message first, then a whole request's worth of newer ones from a stranger we have no chat with.
    history.put(tx, message('hiking', 1, 'the meeting point is the station'))
    for (let n = 0; n < MAX_REQUEST_MESSAGES; n++) history.put(tx, message(stranger, 100 + n, `station station ${n}`, stranger))
    await tx.commit(store)
    const backfill = new SearchBackfill({ store, serial, timers: systemTimers, log: silentLogger, stopped: () => false }, index)
    const search = new MessageSearch({ chats, messages: history }, index, backfill, () => false)

    const result = await search.search('station', DEFAULT_SEARCH_RESULTS)
    expect(result.groups.map((group) => [group.chatId, group.hits.map((hit) => hit.message.clock)])).toEqual([['hiking', [1]]])
  })

  it('a blocked key’s old messages do not use up the results either', async () => {
    const index = new SearchIndex(store, deriveSearchKey(new Uint8Array(32).fill(7)))
    const history = new HistoryStore(store, KEYS, undefined, index)
    const chats = await ChatList.load(store, KEYS)
    const tx = new Transaction()
    chats.add(tx, { id: 'hiking', kind: 'public', joinedAt: 1, lastClock: '0' })
    history.put(tx, message('hiking', 1, 'parcel for you'))
    for (let n = 0; n < 20; n++) history.put(tx, message('hiking', 100 + n, `parcel spam ${n}`, stranger))
    await tx.commit(store)
    const backfill = new SearchBackfill({ store, serial, timers: systemTimers, log: silentLogger, stopped: () => false }, index)
    const search = new MessageSearch({ chats, messages: history }, index, backfill, (m) => m.author.publicKey === stranger)

    const result = await search.search('parcel', 10)
    expect(result.groups.flatMap((group) => group.hits.map((hit) => hit.message.clock))).toEqual([1])
  })
})

describe('hitOf under attack', () => {
  const author = { publicKey: friend, alias: 'Someone', identicon }

  /** Counts the words the segmenter hands out while `run` runs. */
  function segmentsRead(run: () => void): number {
    let read = 0
    const real = Intl.Segmenter.prototype.segment
    const spy = vi.spyOn(Intl.Segmenter.prototype, 'segment').mockImplementation(function (this: Intl.Segmenter, input: string) {
      const segments = real.call(this, input)
      return Object.assign(Object.create(segments) as Intl.Segments, {
        *[Symbol.iterator]() {
          for (const segment of segments) {
            read++
            yield segment
          }
        }
      })
    })
    try {
      run()
    } finally {
      spy.mockRestore()
    }
    return read
  }

  it('reads a long message of short words only up to the snippet, not to its end', () => {
    const text = `the parcel ${'a-'.repeat(8_000)}`.slice(0, 16_384)
    const hostile = { ...messageOf(text), author }
    let hit: ReturnType<typeof hitOf> | undefined
    const read = segmentsRead(() => (hit = hitOf(hostile, new Set(['parcel']))))
    expect(hit!.highlights.map(([s, e]) => hit!.snippet.slice(s, e))).toEqual(['parcel'])
    expect(read).toBeLessThan(400)
  })

  it('finds the same snippet and highlights as before for a match deep in the text', () => {
    const text = `${'filler '.repeat(30)}the parcel and another parcel ${'more '.repeat(60)} parcel`
    const hit = hitOf({ ...messageOf(text), author }, new Set(['parcel']))
    expect(hit.snippet.startsWith('…')).toBe(true)
    expect(hit.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['parcel', 'parcel'])
  })
})

function messageOf(text: string): Message {
  return message('hiking', 1, text)
}
