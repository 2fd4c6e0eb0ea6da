import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EncryptedStore } from '../storage/encrypted-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { ENVELOPE_PREFIX } from './records'
import { SEEN_RETENTION_MS, SeenIds } from './seen-ids'
import { Transaction } from './transaction'

let dir: string
let store: EncryptedStore
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-seen-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(7))
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
const keys = testRecordKeys()
const load = (nowMs: number, maxCount?: number) => SeenIds.load(store, keys, new Transaction(), nowMs, undefined, ENVELOPE_PREFIX, maxCount)

async function addAll(seen: SeenIds, entries: Array<[number, number]>): Promise<void> {
  for (const [n, at] of entries) {
    const tx = new Transaction()
    seen.add(tx, id(n), at)
    await tx.commit(store)
  }
}

const held = (seen: SeenIds, ns: number[]) => ns.filter((n) => seen.has(id(n)))

describe('SeenIds (processed envelopes): bounded by count and by age', () => {
  it('forgets the oldest past its count, in memory and in the store', async () => {
    const seen = await load(0, 3)
    await addAll(seen, [
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
      [5, 50]
    ])
    expect(held(seen, [1, 2, 3, 4, 5])).toEqual([3, 4, 5])
    expect(held(await load(60, 10), [1, 2, 3, 4, 5])).toEqual([3, 4, 5])
  })

  it('forgets what is past the retention while it runs, not only at the next start', async () => {
    const seen = await load(0)
    await addAll(seen, [
      [1, 1000],
      [2, 2000],
      [3, 1000 + SEEN_RETENTION_MS + 1]
    ])
    expect(held(seen, [1, 2, 3])).toEqual([2, 3])
  })

  it('loads the newest within the count and the retention, and deletes the rest from the store', async () => {
    await addAll(await load(0), [
      [1, 5000],
      [2, 1000],
      [3, 4000],
      [4, 3000],
      [5, 2000]
    ])
    const tx = new Transaction()
    const seen = await SeenIds.load(store, keys, tx, 1500 + SEEN_RETENTION_MS, undefined, ENVELOPE_PREFIX, 3)
    // 2 is too old; of the others the newest three (1, 3, 4) are kept.
    expect(held(seen, [1, 2, 3, 4, 5])).toEqual([1, 3, 4])
    await tx.commit(store)
    expect(held(await load(1500 + SEEN_RETENTION_MS), [1, 2, 3, 4, 5])).toEqual([1, 3, 4])
  })

  it('keeps an id added again after its first entry (a commit that failed), when that entry ages out', async () => {
    const seen = await load(0, 2)
    seen.add(new Transaction(), id(1), 10) // never committed
    await addAll(seen, [
      [1, 20],
      [2, 30]
    ])
    expect(held(seen, [1, 2])).toEqual([1, 2])
  })
})
