import { describe, expect, it } from 'vitest'
import { PendingKeys } from './pending-keys'
import { messageKeyId } from './protocol-state'
import type { StoredMessageKey } from './ratchet'

const key = (n: number): StoredMessageKey => ({ dh: new Uint8Array(33).fill(2), n, key: new Uint8Array(32).fill(n), seq: n })

describe('pending message keys', () => {
  it('re-puts a handed-out key with every later step of its session until it is confirmed', () => {
    const ledger = new PendingKeys()
    expect(ledger.step('s', messageKeyId(key(1)))).toEqual({ unconfirmed: [], expiredTombstones: [] })
    ledger.handOut('s', key(1))
    // The step that consumed a key does not re-put it; other sessions are not touched.
    expect(ledger.step('s', messageKeyId(key(1))).unconfirmed).toEqual([])
    expect(ledger.step('other').unconfirmed).toEqual([])
    expect(ledger.step('s', messageKeyId(key(2))).unconfirmed).toEqual([key(1)])
    ledger.handOut('s', key(2))
    expect(ledger.step('s').unconfirmed).toEqual([key(1), key(2)])
  })

  it('expires the tombstone of a key no later step re-put, with the next step only', () => {
    const ledger = new PendingKeys()
    ledger.handOut('s', key(1))
    expect(ledger.confirm('s', key(1))).toBe(true)
    expect(ledger.confirm('s', key(1))).toBe(false)
    expect(ledger.step('s')).toEqual({ unconfirmed: [], expiredTombstones: [key(1)] })
    expect(ledger.step('s').expiredTombstones).toEqual([])
  })

  it('keeps the tombstone of a key a later step re-put: a restart could otherwise resurrect it', () => {
    const ledger = new PendingKeys()
    ledger.handOut('s', key(1))
    ledger.step('s')
    // Handed out again (a redelivery decrypted before the first was confirmed): still marked re-put.
    ledger.handOut('s', key(1))
    expect(ledger.confirm('s', key(1))).toBe(true)
    expect(ledger.step('s')).toEqual({ unconfirmed: [], expiredTombstones: [] })
  })
})
