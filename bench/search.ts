import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message } from '../src/shared/api'
import { silentLogger } from '../src/main/core/log/logger'
import { ChatList } from '../src/main/core/messenger/chat-list'
import { HistoryStore } from '../src/main/core/messenger/history-store'
import { MessageSearch } from '../src/main/core/messenger/message-search'
import { SearchBackfill } from '../src/main/core/messenger/search-backfill'
import { deriveSearchKey, SearchIndex } from '../src/main/core/messenger/search-index'
import { Transaction } from '../src/main/core/messenger/transaction'
import { systemTimers } from '../src/main/core/runtime/timers'
import { EncryptedStore } from '../src/main/core/storage/encrypted-store'
import { percentile } from './measure'
import type { BenchResult, BenchSuite } from './result'
import { testRecordKeys } from '../src/main/core/testing/messenger-parts'

const KEYS = testRecordKeys()

const MESSAGES = 100_000
const CHATS = 20
const BATCH = 1000
const RUNS = 30

/** A deterministic generator, so every run searches the same profile. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * Words by a Zipf-like law (the i-th most common word is about 1/i as frequent), 20,000 of them, so a
 * profile has a few words in most messages and many in a handful; about one message in 20 carries a URL,
 * one in 25 is Arabic.
 */
function profile(): (n: number) => string {
  const next = random(42)
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`)
  const zipf = () => vocabulary[Math.floor(Math.exp(next() * Math.log(vocabulary.length))) - 1]!
  const arabic = ['مرحبا', 'بالعالم', 'كتاب', 'مدرسة', 'سلام', 'صباح', 'الخير', 'شكرا']
  return (n) => {
    const words = Array.from({ length: 6 + Math.floor(next() * 14) }, zipf)
    if (n % 20 === 0) words.push(`https://example.org/${zipf()}/report-${n % 997}.pdf`)
    if (n % 25 === 0) words.push(arabic[n % arabic.length]!, arabic[(n * 7) % arabic.length]!)
    if (n === 77_777) words.push('needle')
    return words.join(' ')
  }
}

function message(n: number, text: string): Message {
  return {
    id: `0x${n.toString(16).padStart(64, '0')}`,
    chatId: `chat-${n % CHATS}`,
    chatKind: 'public',
    author: { publicKey: `0x04${(n % 50).toString(16).padStart(2, '0').repeat(64)}`, alias: 'Some Person', identicon: { cells: [true], color: { r: 1, g: 2, b: 3 } } },
    outgoing: false,
    text,
    clock: n,
    timestamp: 1_700_000_000_000 + n * 1000,
    receivedAt: 1_700_000_000_000 + n * 1000,
    status: 'received'
  }
}

function bytesIn(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0)
}

async function timed(runs: number, run: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  await run()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await run()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  return { median: percentile(samples, 50), p95: percentile(samples, 95) }
}

export const suite: BenchSuite = {
  title: 'Search (100,000 messages, encrypted index in the account store)',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'hush-bench-search-'))
    const store = await EncryptedStore.open(dir, new Uint8Array(32).fill(1))
    const results: BenchResult[] = []
    try {
      const index = new SearchIndex(store, deriveSearchKey(new Uint8Array(32).fill(2)))
      const history = new HistoryStore(store, KEYS, undefined, index)
      const plain = new HistoryStore(store, KEYS)
      const chats = await ChatList.load(store, KEYS)
      const setup = new Transaction()
      for (let c = 0; c < CHATS; c++) chats.add(setup, { id: `chat-${c}`, kind: 'public', joinedAt: 0, lastClock: '0' })
      await setup.commit(store)
      const text = profile()

      // The first tenth written without the index (an older profile), then indexed by the backfill.
      const legacy = MESSAGES / 10
      for (let n = 0; n < legacy; n += BATCH) {
        const tx = new Transaction()
        for (let i = n; i < n + BATCH; i++) plain.put(tx, message(i, text(i)))
        await tx.commit(store)
      }
      let queue: Promise<unknown> = Promise.resolve()
      const serial = <T>(task: () => Promise<T>): Promise<T> => {
        const run = queue.then(task, task)
        queue = run.catch(() => undefined)
        return run
      }
      const backfill = new SearchBackfill({ store, serial, timers: systemTimers, log: silentLogger, stopped: () => false }, index)
      await backfill.start()
      backfill.stop()
      const backfillStart = performance.now()
      while (await backfill.step());
      const backfillMs = performance.now() - backfillStart
      results.push({ name: 'backfill of history stored before the index', value: Math.round((legacy * 1000) / backfillMs), unit: 'messages/s', note: `${legacy} messages in steps of 250` })

      const writeStart = performance.now()
      for (let n = legacy; n < MESSAGES; n += BATCH) {
        const tx = new Transaction()
        for (let i = n; i < n + BATCH; i++) history.put(tx, message(i, text(i)))
        await tx.commit(store)
      }
      const writeMs = performance.now() - writeStart
      results.push({ name: 'history writes with the index in the same batch', value: Math.round(((MESSAGES - legacy) * 1000) / writeMs), unit: 'messages/s', note: 'batches of 1000, 6–20 words each' })
      results.push({ name: 'store size, history + index, 100,000 messages', value: Math.round(bytesIn(dir) / 2 ** 20), unit: 'MiB', note: 'before compaction' })

      const search = new MessageSearch({ chats, messages: history }, index, backfill, () => false)
      const queries: Array<[string, string]> = [
        ['one rare word (1 hit)', 'needle'],
        ['a word in about 1 % of messages', 'w2s'],
        ['the most common word (in about 60 % of messages)', 'w0'],
        ['two common words', 'w1 w2'],
        ['a word inside URLs', 'example'],
        ['an Arabic word', 'مرحبا'],
        ['a word nobody wrote', 'absent']
      ]
      for (const [name, query] of queries) {
        const found = await search.search(query, 50)
        const hits = found.groups.reduce((sum, group) => sum + group.hits.length, 0)
        const { median, p95 } = await timed(RUNS, () => search.search(query, 50))
        results.push({ name: `search, ${name} (median)`, value: median, unit: 'ms', target: '< 100 ms', note: `"${query}": ${hits} hits returned${found.truncated ? ', truncated' : ''}; p95 ${p95.toFixed(1)} ms` })
      }
      return results
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
