import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { message } from '../testing/fixtures'
import { AccountDatabase } from './account-db'
import { latestRange, newerRange, olderRange, readRange, WHOLE_CHAT } from './message-pages'

let db: AccountDatabase
let n = 0
beforeEach(async () => {
  db = new AccountDatabase(`pages-${++n}`)
  // Clocks 1..100 in "c", plus a neighbour chat that must never leak in.
  await db.messages.bulkPut([
    ...Array.from({ length: 100 }, (_, i) => message({ chatId: 'c', clock: i + 1 })),
    ...Array.from({ length: 10 }, (_, i) => message({ chatId: 'd', clock: i + 1 }))
  ])
})
afterEach(async () => {
  await db.delete()
})

const clocks = (messages: Array<{ clock: number }>) => messages.map((m) => m.clock)

describe('message window paging', () => {
  it('opens on the newest page, following the end', async () => {
    const range = await latestRange(db, 'c', 20)
    expect(range).toEqual({ lower: 81, upper: Infinity })
    const shown = await readRange(db, 'c', range, 50)
    expect(clocks(shown.messages)).toEqual(Array.from({ length: 20 }, (_, i) => 81 + i))
    expect(shown.hasOlder).toBe(true)
    expect(shown.hasNewer).toBe(false)
  })

  it('a short chat is shown whole', async () => {
    expect(await latestRange(db, 'd', 20)).toEqual(WHOLE_CHAT)
    const shown = await readRange(db, 'd', WHOLE_CHAT, 50)
    expect(shown.messages).toHaveLength(10)
    expect(shown.hasOlder).toBe(false)
  })

  it('pages older within a bound, then back to the newest', async () => {
    let range = await latestRange(db, 'c', 20)
    range = await olderRange(db, 'c', range, 20, 30)
    expect(range).toEqual({ lower: 61, upper: 90 })
    let shown = await readRange(db, 'c', range, 100)
    expect(shown.messages).toHaveLength(30)
    expect(shown.hasNewer).toBe(true)
    for (let i = 0; i < 5; i++) range = await olderRange(db, 'c', range, 20, 30)
    expect(range.lower).toBe(-Infinity)
    shown = await readRange(db, 'c', range, 100)
    expect(clocks(shown.messages)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(shown.hasOlder).toBe(false)
    for (let i = 0; i < 10 && range.upper !== Infinity; i++) range = await newerRange(db, 'c', range, 20, 30)
    expect(range.upper).toBe(Infinity)
    shown = await readRange(db, 'c', range, 100)
    expect(clocks(shown.messages).at(-1)).toBe(100)
    expect(shown.messages.length).toBeLessThanOrEqual(30)
  })

  it('a burst at the followed end keeps the newest messages and shrinks the range to them', async () => {
    const range = await latestRange(db, 'c', 20)
    await db.messages.bulkPut(Array.from({ length: 50 }, (_, i) => message({ chatId: 'c', clock: 101 + i })))
    const shown = await readRange(db, 'c', range, 40)
    expect(shown.messages).toHaveLength(39)
    expect(shown.range).toEqual({ lower: 112, upper: Infinity })
    expect(clocks(shown.messages).at(-1)).toBe(150)
    expect(shown.hasOlder).toBe(true)
  })

  it('never strands messages that share a clock at the cut', async () => {
    await db.messages.bulkPut([message({ chatId: 'c', clock: 95, id: '0xtwin-a' }), message({ chatId: 'c', clock: 95, id: '0xtwin-b' })])
    const shown = await readRange(db, 'c', { lower: -Infinity, upper: Infinity }, 7)
    expect(clocks(shown.messages)).toEqual([96, 97, 98, 99, 100])
    const older = await olderRange(db, 'c', shown.range, 3, 50)
    const again = await readRange(db, 'c', older, 50)
    expect(again.messages.filter((m) => m.clock === 95)).toHaveLength(3)
  })
})
