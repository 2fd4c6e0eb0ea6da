import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Message, MessageRange } from '../../../shared/api'
import { EncryptedStore } from '../storage/encrypted-store'
import { HistoryStore } from './history-store'
import { Transaction } from './transaction'

const OPEN: MessageRange = { lower: null, upper: null }

function message(chatId: string, clock: number, fields: Partial<Message> = {}): Message {
  return {
    id: `0x${chatId}${clock.toString(16).padStart(8, '0')}`,
    chatId,
    chatKind: 'public',
    author: { publicKey: `0x04${'ab'.repeat(64)}`, alias: 'Some Person', identicon: { cells: [true], color: { r: 1, g: 2, b: 3 } } },
    outgoing: false,
    text: `message ${clock}`,
    clock,
    timestamp: 1_700_000_000_000 + clock,
    receivedAt: 1_700_000_000_000 + clock,
    status: 'received',
    ...fields
  }
}

let dir: string
let store: EncryptedStore
let history: HistoryStore

async function put(messages: Message[]): Promise<void> {
  const tx = new Transaction()
  for (const m of messages) history.put(tx, m)
  await tx.commit(store)
}

const clocks = (messages: Array<{ clock: number }>) => messages.map((m) => m.clock)

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-history-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(3))
  history = new HistoryStore(store)
  // Clocks 1..100 in "c", plus a neighbour chat that must never leak in (its name sorts right after).
  await put([...Array.from({ length: 100 }, (_, i) => message('c', i + 1)), ...Array.from({ length: 10 }, (_, i) => message('d', i + 1))])
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('HistoryStore', () => {
  it('centres a range on a message, leaving open the ends it reaches, and only in its own chat', async () => {
    expect(await history.aroundRange('c', message('c', 50).id, 20)).toEqual({ lower: 40, upper: 60 })
    expect(await history.aroundRange('c', message('c', 95).id, 20)).toEqual({ lower: 85, upper: null })
    expect(await history.aroundRange('c', message('c', 3).id, 20)).toEqual({ lower: null, upper: 13 })
    expect(await history.aroundRange('c', message('c', 12).id, 20)).toEqual({ lower: 2, upper: 22 })
    expect(await history.aroundRange('c', message('c', 11).id, 20)).toEqual({ lower: null, upper: 21 })
    expect(await history.aroundRange('c', message('d', 5).id, 20)).toBeUndefined()
    expect(await history.aroundRange('c', `0x${'0'.repeat(64)}`, 20)).toBeUndefined()
    const window = await history.read('c', (await history.aroundRange('c', message('c', 50).id, 20))!, 500)
    expect(clocks(window.messages)).toEqual(Array.from({ length: 21 }, (_, i) => 40 + i))
    expect(window).toMatchObject({ hasOlder: true, hasNewer: true })
  })

  it('finds a message by id and stores a new state of it in place', async () => {
    expect((await history.get(message('c', 7).id))?.text).toBe('message 7')
    await put([message('c', 7, { status: 'delivered' })])
    expect((await history.get(message('c', 7).id))?.status).toBe('delivered')
    expect((await history.read('c', OPEN, 500)).messages).toHaveLength(100)
    expect(await history.get('0xmissing')).toBeUndefined()
    expect((await history.newest('c'))?.clock).toBe(100)
  })

  it('keeps clocks in numeric order past a digit boundary', async () => {
    await put([message('e', 9), message('e', 10), message('e', 0x100), message('e', 1_700_000_000_000)])
    expect(clocks((await history.read('e', OPEN, 10)).messages)).toEqual([9, 10, 0x100, 1_700_000_000_000])
  })

  it('opens on the newest page, following the end', async () => {
    const range = await history.latestRange('c', 20)
    expect(range).toEqual({ lower: 81, upper: null })
    const shown = await history.read('c', range, 50)
    expect(clocks(shown.messages)).toEqual(Array.from({ length: 20 }, (_, i) => 81 + i))
    expect(shown.hasOlder).toBe(true)
    expect(shown.hasNewer).toBe(false)
  })

  it('shows a short chat whole', async () => {
    expect(await history.latestRange('d', 20)).toEqual(OPEN)
    const shown = await history.read('d', OPEN, 50)
    expect(shown.messages).toHaveLength(10)
    expect(shown.hasOlder).toBe(false)
  })

  it('pages older within a bound, then back to the newest', async () => {
    let range = await history.latestRange('c', 20)
    range = await history.olderRange('c', range, 20, 30)
    expect(range).toEqual({ lower: 61, upper: 90 })
    let shown = await history.read('c', range, 100)
    expect(shown.messages).toHaveLength(30)
    expect(shown.hasNewer).toBe(true)
    for (let i = 0; i < 5; i++) range = await history.olderRange('c', range, 20, 30)
    expect(range.lower).toBeNull()
    shown = await history.read('c', range, 100)
    expect(clocks(shown.messages)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(shown.hasOlder).toBe(false)
    for (let i = 0; i < 10 && range.upper !== null; i++) range = await history.newerRange('c', range, 20, 30)
    expect(range.upper).toBeNull()
    shown = await history.read('c', range, 100)
    expect(clocks(shown.messages).at(-1)).toBe(100)
    expect(shown.messages.length).toBeLessThanOrEqual(30)
  })

  it('keeps the newest messages of a burst at the followed end and shrinks the range to them', async () => {
    const range = await history.latestRange('c', 20)
    await put(Array.from({ length: 50 }, (_, i) => message('c', 101 + i)))
    const shown = await history.read('c', range, 40)
    expect(shown.messages).toHaveLength(39)
    expect(shown.range).toEqual({ lower: 112, upper: null })
    expect(clocks(shown.messages).at(-1)).toBe(150)
    expect(shown.hasOlder).toBe(true)
  })

  it('never strands messages that share a clock at the cut', async () => {
    await put([message('c', 95, { id: '0xaa' }), message('c', 95, { id: '0xbb' })])
    const shown = await history.read('c', OPEN, 7)
    expect(clocks(shown.messages)).toEqual([96, 97, 98, 99, 100])
    const older = await history.olderRange('c', shown.range, 3, 50)
    const again = await history.read('c', older, 50)
    expect(again.messages.filter((m) => m.clock === 95)).toHaveLength(3)
  })

  it('forgets a whole chat, index included, and nothing of its neighbour', async () => {
    const tx = new Transaction()
    await history.deleteChat(tx, 'c')
    await tx.commit(store)
    expect((await history.read('c', OPEN, 500)).messages).toEqual([])
    expect(await history.has(message('c', 1).id)).toBe(false)
    expect((await history.read('d', OPEN, 500)).messages).toHaveLength(10)
  })

  it('keeps no message text in clear on disk', async () => {
    await store.close()
    const { ClassicLevel } = await import('classic-level')
    const raw = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
    let plain = 0
    for await (const [key, value] of raw.iterator()) plain += Number(Buffer.from(value).includes('message 1') || key.includes('message 1'))
    await raw.close()
    expect(plain).toBe(0)
    store = await EncryptedStore.open(dir, new Uint8Array(32).fill(3))
  })
})
