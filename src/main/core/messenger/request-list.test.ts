import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_REQUEST_MESSAGES, MAX_REQUESTS } from '../../../shared/api'
import { EncryptedStore } from '../storage/encrypted-store'
import { BlockList } from './block-list'
import { RequestList } from './request-list'
import { Transaction } from './transaction'
import { testRecordKeys } from '../testing/messenger-parts'

const KEYS = testRecordKeys()

let dir: string
let store: EncryptedStore
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-requests-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(4))
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

const key = (n: number) => `0x04${n.toString(16).padStart(128, '0')}`

describe('RequestList', () => {
  it('keeps the newest message as preview and survives a reload', async () => {
    const list = await RequestList.load(store, KEYS)
    const tx = new Transaction()
    expect(list.note(tx, key(1), 'first', 10)).toBeNull()
    expect(list.note(tx, key(1), 'second', 20)).toBeNull()
    expect(list.note(tx, key(1), 'late arrival of an older one', 15)).toBeNull()
    await tx.commit(store)
    expect((await RequestList.load(store, KEYS)).all()).toEqual([{ publicKey: key(1), firstAt: 10, lastAt: 20, count: 3, preview: 'second' }])
  })

  it('refuses a stranger beyond the request limit, and a message beyond a request’s limit', async () => {
    const list = await RequestList.load(store, KEYS)
    for (let n = 0; n < MAX_REQUESTS; n++) {
      const tx = new Transaction()
      expect(list.note(tx, key(n), 'hi', n)).toBeNull()
      await tx.commit(store)
    }
    expect(list.note(new Transaction(), key(MAX_REQUESTS), 'one too many', 1)).toBe('REQUEST_LIMIT')
    for (let i = 1; i < MAX_REQUEST_MESSAGES; i++) {
      const tx = new Transaction()
      list.note(tx, key(0), 'again', 1000 + i)
      await tx.commit(store)
    }
    expect(list.get(key(0))?.count).toBe(MAX_REQUEST_MESSAGES)
    expect(list.note(new Transaction(), key(0), 'and again', 5000)).toBe('REQUEST_FULL')
    const tx = new Transaction()
    list.remove(tx, key(0))
    await tx.commit(store)
    expect(list.note(new Transaction(), key(MAX_REQUESTS), 'room now', 1)).toBeNull()
  })
})

describe('BlockList', () => {
  it('blocks and unblocks across a reload, most recent first', async () => {
    const list = await BlockList.load(store, KEYS)
    const tx = new Transaction()
    list.block(tx, key(1), 5)
    list.block(tx, key(2), 7)
    expect(list.has(key(1), tx)).toBe(true)
    expect(list.has(key(1))).toBe(false)
    await tx.commit(store)
    const reloaded = await BlockList.load(store, KEYS)
    expect(reloaded.all().map((b) => b.publicKey)).toEqual([key(2), key(1)])
    const undo = new Transaction()
    reloaded.unblock(undo, key(2))
    await undo.commit(store)
    expect((await BlockList.load(store, KEYS)).all().map((b) => b.publicKey)).toEqual([key(1)])
  })
})
