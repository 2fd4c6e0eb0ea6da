import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { keccak256 } from '../primitives/keccak'
import { EncryptedStore, putJson, putOp, type StoreError } from '../storage/encrypted-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { migrateRecordKeys, RECORDS_VERSION_KEY, SEEN_PREFIX, CHAT_PREFIX } from './records'
import { SeenIds } from './seen-ids'
import { Transaction } from './transaction'

let dir: string
let store: EncryptedStore
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-records-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(5))
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const id = (n: number) => n.toString(16).padStart(64, '0')
const keys = testRecordKeys()

describe('migrateRecordKeys', () => {
  it('resumes a migration cut short, moving every record exactly once and losing none', async () => {
    const count = 2_500
    await store.batch(Array.from({ length: count }, (_, n) => putJson(`${SEEN_PREFIX}${id(n)}`, { at: 1000 + n })))
    const batch = store.batch.bind(store)
    let batches = 0
    const spy = vi.spyOn(store, 'batch').mockImplementation(async (ops, options) => {
      batches += 1
      if (batches === 2) throw new Error('power cut')
      return batch(ops, options)
    })
    await expect(migrateRecordKeys(store, keys)).rejects.toThrow('power cut')
    spy.mockRestore()
    expect(await store.get(RECORDS_VERSION_KEY)).toBeUndefined()

    await migrateRecordKeys(store, keys)
    const raw: string[] = []
    for await (const [key] of store.iterate(SEEN_PREFIX)) raw.push(key.slice(SEEN_PREFIX.length))
    expect(raw).toHaveLength(count)
    for (const suffix of raw) expect(suffix).toMatch(/^[0-9a-f]{32}$/)
    const seen = await SeenIds.load(store, keys, new Transaction(), 1000)
    for (let n = 0; n < count; n += 1) expect(seen.has(`0x${id(n)}`)).toBe(true)
    expect(await store.get(RECORDS_VERSION_KEY)).toBeDefined()
  })

  it('leaves an old record that says nothing it can be named by where it is, and reports it', async () => {
    const name = bytesToHex(keccak256(utf8ToBytes('hush')))
    await store.batch([putJson(`${CHAT_PREFIX}${name}`, { kind: 'public' }), putOp(`${SEEN_PREFIX}${id(1)}`, utf8ToBytes('{'))])
    const reported: Array<string | undefined> = []
    await migrateRecordKeys(store, keys, (error: StoreError) => reported.push(error.recordKey))
    expect(reported.sort()).toEqual([`${CHAT_PREFIX}${name}`, `${SEEN_PREFIX}${id(1)}`])
    expect(await store.get(`${CHAT_PREFIX}${name}`)).toBeDefined()
    // Done once: a second unlock neither moves nor reports anything.
    await migrateRecordKeys(store, keys, (error: StoreError) => reported.push(error.recordKey))
    expect(reported).toHaveLength(2)
  })
})
