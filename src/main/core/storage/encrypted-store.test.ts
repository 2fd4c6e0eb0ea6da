import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EncryptedStore, StoreError, delOp, deriveStoreKey, putJson, putOp } from './encrypted-store'
import { getParsed, iterateParsed } from './parsed-records'

const KEY = new Uint8Array(32).fill(7)
const OTHER_KEY = new Uint8Array(32).fill(8)

const Bundle = z.object({ n: z.number(), s: z.string() })

let dir: string
const open: EncryptedStore[] = []

async function openStore(key = KEY): Promise<EncryptedStore> {
  const store = await EncryptedStore.open(dir, key)
  open.push(store)
  return store
}

/** Raw LevelDB access, to see and damage what is actually on disk. */
async function withRaw<T>(fn: (db: ClassicLevel<string, Uint8Array>) => Promise<T>): Promise<T> {
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(StoreError)
  return error as StoreError
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hush-store-'))
})

afterEach(async () => {
  for (const store of open.splice(0)) await store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('EncryptedStore', () => {
  it('round-trips bytes and JSON across a reopen', async () => {
    const store = await openStore()
    await store.batch([putOp('session/a', new Uint8Array([1, 2, 3])), putJson('bundle/own', { n: 1, s: 'x' })])
    expect(await store.get('session/a')).toEqual(new Uint8Array([1, 2, 3]))
    expect(await getParsed(store, 'bundle/own', Bundle)).toEqual({ n: 1, s: 'x' })
    expect(await store.get('session/missing')).toBeUndefined()
    await store.close()

    const again = await openStore()
    expect(await again.get('session/a')).toEqual(new Uint8Array([1, 2, 3]))
    expect(await getParsed(again, 'bundle/own', Bundle)).toEqual({ n: 1, s: 'x' })
  })

  it('stores values encrypted with a fresh nonce each time', async () => {
    const store = await openStore()
    const plaintext = utf8ToBytes('a secret ratchet state')
    await store.batch([putOp('session/a', plaintext), putOp('session/b', plaintext)])
    await store.close()
    const raw = await withRaw(async (db) => [await db.get('session/a'), await db.get('session/b')])
    const [a, b] = raw.map((v) => bytesToHex(v ?? new Uint8Array(0)))
    expect(a).not.toContain(bytesToHex(plaintext))
    expect(a).not.toEqual(b)
  })

  it('applies a batch atomically, deletes included', async () => {
    const store = await openStore()
    await store.batch([putOp('journal/1', new Uint8Array([1])), putOp('journal/2', new Uint8Array([2]))])
    await store.batch([delOp('journal/1'), putOp('journal/3', new Uint8Array([3]))])
    expect(await store.get('journal/1')).toBeUndefined()
    expect(await store.get('journal/3')).toEqual(new Uint8Array([3]))

    // An invalid op anywhere in the batch means nothing of it lands.
    await rejection(store.batch([putOp('journal/4', new Uint8Array([4])), putOp('', new Uint8Array([5]))]))
    expect(await store.get('journal/4')).toBeUndefined()
  })

  it('iterates one namespace in key order', async () => {
    const store = await openStore()
    await store.batch([
      putOp('session/b', new Uint8Array([2])),
      putOp('session/a', new Uint8Array([1])),
      putOp('sessions', new Uint8Array([9])),
      putOp('bundle/a', new Uint8Array([3]))
    ])
    const seen: Array<[string, number[]]> = []
    for await (const [key, value] of store.iterate('session/')) seen.push([key, [...value]])
    expect(seen).toEqual([
      ['session/a', [1]],
      ['session/b', [2]]
    ])
  })

  it('reads a bounded key range forwards and backwards, never past the prefix', async () => {
    const store = await openStore()
    await store.batch(['h/a/1', 'h/a/2', 'h/a/3', 'h/a/4', 'h/b/1'].map((key, i) => putOp(key, new Uint8Array([i]))))
    const keys = async (range: Parameters<EncryptedStore['iterate']>[1]) => {
      const seen: string[] = []
      for await (const [key] of store.iterate('h/a/', range)) seen.push(key)
      return seen
    }
    expect(await keys({ from: 'h/a/2', to: 'h/a/4' })).toEqual(['h/a/2', 'h/a/3'])
    expect(await keys({ reverse: true, limit: 2 })).toEqual(['h/a/4', 'h/a/3'])
    expect(await keys({ from: 'h/a/3' })).toEqual(['h/a/3', 'h/a/4'])
    expect(await keys({ to: 'h/a/2', reverse: true })).toEqual(['h/a/1'])
  })

  it('names the record whose stored value was tampered with', async () => {
    const store = await openStore()
    await store.batch([putOp('session/a', utf8ToBytes('state'))])
    await store.close()
    await withRaw(async (db) => {
      const value = Uint8Array.from((await db.get('session/a')) ?? [])
      value.set([(value.at(-20) ?? 0) ^ 1], value.length - 20)
      await db.put('session/a', value)
    })
    const again = await openStore()
    const error = await rejection(again.get('session/a'))
    expect(error.code).toBe('VALUE_CORRUPT')
    expect(error.recordKey).toBe('session/a')
    expect(error.message).toContain('session/a')
  })

  it('refuses a value moved onto another record key', async () => {
    const store = await openStore()
    await store.batch([putOp('session/a', utf8ToBytes('for a'))])
    await store.close()
    await withRaw(async (db) => db.put('session/b', (await db.get('session/a')) ?? new Uint8Array(0)))
    const again = await openStore()
    expect(await again.get('session/a')).toEqual(utf8ToBytes('for a'))
    expect((await rejection(again.get('session/b'))).recordKey).toBe('session/b')
  })

  it('reports a truncated value and bad JSON as corrupt records', async () => {
    const store = await openStore()
    await store.batch([putOp('session/json', utf8ToBytes('{not json'))])
    expect((await rejection(getParsed(store, 'session/json', Bundle))).code).toBe('VALUE_CORRUPT')
    await store.close()
    await withRaw(async (db) => db.put('session/short', new Uint8Array([1, 2, 3])))
    const again = await openStore()
    expect((await rejection(again.get('session/short'))).code).toBe('VALUE_CORRUPT')
  })

  it('refuses to open with another key', async () => {
    const store = await openStore()
    await store.close()
    expect((await rejection(EncryptedStore.open(dir, OTHER_KEY))).code).toBe('WRONG_KEY')
    // The refused open released the database, so the right key still works.
    const again = await openStore()
    expect(await again.get('session/none')).toBeUndefined()
  })

  it('rejects a key of the wrong length and use after close', async () => {
    expect((await rejection(EncryptedStore.open(dir, new Uint8Array(16)))).code).toBe('INVALID_ARGUMENT')
    const store = await openStore()
    await store.close()
    expect((await rejection(store.get('session/a'))).code).toBe('CLOSED')
  })

  it('does not keep a reference to the caller key', async () => {
    const key = Uint8Array.from(KEY)
    const store = await openStore(key)
    await store.close()
    expect(key).toEqual(KEY)
  })
})

describe('deriveStoreKey', () => {
  it('is a deterministic 32-byte key that differs per account', () => {
    const a = deriveStoreKey(new Uint8Array(32).fill(1))
    expect(a).toHaveLength(32)
    expect(deriveStoreKey(new Uint8Array(32).fill(1))).toEqual(a)
    expect(deriveStoreKey(new Uint8Array(32).fill(2))).not.toEqual(a)
    // Pinned against node:crypto's RFC 5869 HKDF (empty salt, info "hush/encrypted-store/v1"): changing the
    // label would orphan every existing profile's state.
    expect(bytesToHex(a)).toBe('e82d4974464b931e5d16b12a9b9c6a928365436b66406f3651633b37418faeba')
  })

  it('rejects a private key of the wrong length', () => {
    expect(() => deriveStoreKey(new Uint8Array(31))).toThrow(StoreError)
  })

  it('lists keys in a range without opening values, damaged ones included', async () => {
    const store = await openStore()
    await store.batch(['a', 'b', 'c', 'd'].map((k) => putJson(`chat/${k}`, { n: 1, s: k })))
    await store.batch([putOp('chat/e', utf8ToBytes('x'))])
    await store.close()
    await withRaw(async (db) => db.put('chat/b', new Uint8Array([1, 2, 3])))
    const again = await openStore()
    const keys: string[] = []
    for await (const key of again.keys('chat/', { from: 'chat/b', reverse: true, limit: 3 })) keys.push(key)
    expect(keys).toEqual(['chat/e', 'chat/d', 'chat/c'])
    const all: string[] = []
    for await (const key of again.keys('chat/', { to: 'chat/c' })) all.push(key)
    expect(all).toEqual(['chat/a', 'chat/b'])
  })

  it('checks what it reads against a schema, naming the record and the field', async () => {
    const store = await openStore()
    await store.batch([putJson('bundle/own', { n: 'one', s: 'x' })])
    const error = await rejection(getParsed(store, 'bundle/own', Bundle))
    expect(error.code).toBe('VALUE_CORRUPT')
    expect(error.recordKey).toBe('bundle/own')
    expect(error.message).toMatch(/bundle\/own.*\bn\b/)
  })

  it('skips and reports unreadable records when asked to, and stops at the first one otherwise', async () => {
    const store = await openStore()
    await store.batch([
      putJson('chat/a', { n: 1, s: 'a' }),
      putOp('chat/b', utf8ToBytes('{not json')),
      putJson('chat/c', { n: 'three' }),
      putJson('chat/d', { n: 4, s: 'd' }),
      putJson('chat/e', { n: 5, s: 'e' })
    ])
    await store.close()
    await withRaw(async (db) => {
      const value = Uint8Array.from((await db.get('chat/d')) ?? [])
      value.set([(value.at(-1) ?? 0) ^ 1], value.length - 1)
      await db.put('chat/d', value)
    })
    const again = await openStore()
    const skipped: string[] = []
    const read: string[] = []
    for await (const [key, record] of iterateParsed(again, 'chat/', Bundle, (error) => skipped.push(error.recordKey ?? ''))) {
      read.push(`${key}=${record.n}`)
    }
    expect(read).toEqual(['chat/a=1', 'chat/e=5'])
    expect(skipped).toEqual(['chat/b', 'chat/c', 'chat/d'])

    const strict = async (): Promise<void> => {
      for await (const entry of iterateParsed(again, 'chat/', Bundle)) read.push(entry[0])
    }
    expect((await rejection(strict())).recordKey).toBe('chat/b')
  })
})
