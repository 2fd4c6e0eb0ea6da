import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveStoreKey, EncryptedStore } from '../storage/encrypted-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { ContactBook } from './contact-book'
import { Transaction } from './transaction'

const KEY = deriveStoreKey(new Uint8Array(32).fill(7))
const BOB = '0x04' + 'b'.repeat(128)
const CAROL = '0x04' + 'c'.repeat(128)
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

async function openStore(dir?: string): Promise<{ store: EncryptedStore; dir: string }> {
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'hush-contacts-'))
  if (!dir) cleanup.push(async () => rmSync(folder, { recursive: true, force: true }))
  const store = await EncryptedStore.open(folder, KEY)
  cleanup.push(() => store.close())
  return { store, dir: folder }
}

async function change(store: EncryptedStore, step: (tx: Transaction) => void): Promise<void> {
  const tx = new Transaction()
  step(tx)
  await tx.commit(store)
}

describe('ContactBook', () => {
  it('keeps names, verification and devices across a reload', async () => {
    const { store, dir } = await openStore()
    const book = await ContactBook.load(store, testRecordKeys())
    await change(store, (tx) => {
      book.ensure(tx, CAROL, 2000)
      book.applyName(tx, BOB, 5n, 'Bob', 1000)
      book.setVerified(tx, BOB, true, 3000)
      book.recordDevices(tx, BOB, [{ installationId: 'phone', firstSeen: 1500 }], 3000)
    })
    await store.close()
    const reopened = await openStore(dir)
    const loaded = await ContactBook.load(reopened.store, testRecordKeys())
    expect(loaded.all().map((c) => c.publicKey)).toEqual([BOB, CAROL])
    expect(loaded.get(BOB)).toEqual({
      publicKey: BOB,
      since: 1000,
      displayName: 'Bob',
      nameClock: '5',
      verifiedAt: 3000,
      devices: [{ installationId: 'phone', firstSeen: 1500 }],
      newDevices: []
    })
  })

  it('takes a name only from a newer clock; an empty name clears it', async () => {
    const { store } = await openStore()
    const book = await ContactBook.load(store, testRecordKeys())
    const tx = new Transaction()
    expect(book.applyName(tx, BOB, 10n, 'Bob', 0)).toBe(true)
    expect(book.applyName(tx, BOB, 9n, 'Mallory', 0)).toBe(false)
    expect(book.applyName(tx, BOB, 10n, 'Mallory', 0)).toBe(false)
    expect(book.get(BOB, tx)?.displayName).toBe('Bob')
    expect(book.applyName(tx, BOB, 11n, 'Bob', 0)).toBe(false)
    expect(book.get(BOB, tx)?.nameClock).toBe('11')
    expect(book.applyName(tx, BOB, 12n, '', 0)).toBe(true)
    expect(book.get(BOB, tx)).not.toHaveProperty('displayName')
    // Nothing reaches memory before the commit, everything after it.
    expect(book.get(BOB)).toBeUndefined()
    await tx.commit(store)
    expect(book.get(BOB)?.nameClock).toBe('12')
  })

  it('notes new devices of a verified contact until acknowledged or re-verified', async () => {
    const { store } = await openStore()
    const book = await ContactBook.load(store, testRecordKeys())
    const tx = new Transaction()
    const laptop = { installationId: 'laptop', firstSeen: 1 }
    const phone = { installationId: 'phone', firstSeen: 2 }
    const tablet = { installationId: 'tablet', firstSeen: 3 }
    // Devices seen before verification, or the first device of someone verified before any bundle, are no news.
    book.setVerified(tx, BOB, true, 0)
    expect(book.recordDevices(tx, BOB, [laptop], 0)).toBe(true)
    expect(book.get(BOB, tx)?.newDevices).toEqual([])
    expect(book.recordDevices(tx, BOB, [laptop], 0)).toBe(false)
    expect(book.recordDevices(tx, BOB, [phone, laptop], 0)).toBe(true)
    expect(book.get(BOB, tx)?.newDevices).toEqual([phone])
    expect(book.acknowledgeDevices(tx, BOB, 0).newDevices).toEqual([])
    expect(book.get(BOB, tx)?.devices).toEqual([laptop, phone])

    book.recordDevices(tx, BOB, [tablet], 0)
    expect(book.get(BOB, tx)?.newDevices).toEqual([tablet])
    expect(book.setVerified(tx, BOB, false, 0)).not.toHaveProperty('verifiedAt')
    expect(book.get(BOB, tx)?.newDevices).toEqual([])
    // Not verified: a new device is recorded without a notice.
    book.recordDevices(tx, BOB, [{ installationId: 'watch', firstSeen: 4 }], 0)
    expect(book.get(BOB, tx)?.newDevices).toEqual([])
  })
})
