import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_KNOWN_INSTALLATIONS } from '../crypto/installations'
import { deriveStoreKey, EncryptedStore } from '../storage/encrypted-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { ContactBook } from './contact-book'
import { Transaction } from './transaction'

/* A contact's devices come from the bundles it signs itself: it can name new ones in every message. */

const BOB = '0x04' + 'b'.repeat(128)
let dir = ''
let store: EncryptedStore | undefined
afterEach(async () => {
  await store?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('ContactBook under attack', () => {
  it('keeps a bounded device list however many new devices a verified contact names', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hush-contacts-attack-'))
    store = await EncryptedStore.open(dir, deriveStoreKey(new Uint8Array(32).fill(7)))
    const book = await ContactBook.load(store, testRecordKeys())
    const first = new Transaction()
    book.recordDevices(first, BOB, [{ installationId: 'phone', firstSeen: 1 }], 1)
    book.setVerified(first, BOB, true, 2)
    await first.commit(store)
    for (let n = 0; n < 100; n++) {
      const tx = new Transaction()
      book.recordDevices(tx, BOB, [{ installationId: `fake-${n}`, firstSeen: 10 + n }], 10 + n)
      await tx.commit(store)
    }
    const bob = book.get(BOB)!
    expect(bob.devices.length).toBeLessThanOrEqual(MAX_KNOWN_INSTALLATIONS)
    expect(bob.newDevices.length).toBeLessThanOrEqual(MAX_KNOWN_INSTALLATIONS)
    expect(bob.devices.at(-1)?.installationId).toBe('fake-99')
  })
})
