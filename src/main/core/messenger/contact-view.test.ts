import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { publicKeyOf } from '../primitives/secp256k1'
import type { ContactRecord } from './contact-book'
import { ContactView } from './contact-view'
import { publicIdentityOfKey } from './identities'

function keyOf(seed: number): string {
  return '0x' + bytesToHex(publicKeyOf(new Uint8Array(32).fill(seed), false))
}

function record(publicKey: string, since: number, extra: Partial<ContactRecord> = {}): ContactRecord {
  return { publicKey, since, nameClock: '1', devices: [], newDevices: [], ...extra }
}

const BOB = keyOf(1)
const MALLORY = keyOf(2)
const CAROL = keyOf(3)
const aliasOf = (key: string) => publicIdentityOfKey(hexToBytes(key.slice(2))).alias

describe('ContactView', () => {
  it('flags a later key whose chosen name looks like an earlier contact’s, naming that contact', () => {
    const view = new ContactView([
      record(BOB, 1, { displayName: 'Bob' }),
      record(CAROL, 2, { displayName: 'Carol' }),
      record(MALLORY, 3, { displayName: ' B0B ' })
    ])
    const [bob, carol, mallory] = view.all()
    expect(bob?.resembles).toEqual([])
    expect(carol?.resembles).toEqual([])
    expect(mallory?.resembles).toEqual([{ publicKey: BOB, alias: aliasOf(BOB), displayName: 'Bob' }])
    expect(mallory).toMatchObject({ publicKey: MALLORY, known: true, verified: false, displayName: ' B0B ' })
  })

  it('flags a chosen name that copies a contact’s alias', () => {
    const view = new ContactView([record(BOB, 1), record(MALLORY, 2, { displayName: aliasOf(BOB).toUpperCase() })])
    expect(view.all()[1]?.resembles).toEqual([{ publicKey: BOB, alias: aliasOf(BOB) }])
  })

  it('never flags a verified contact; a stranger with an unlike alias is not flagged', () => {
    const view = new ContactView([record(MALLORY, 1, { displayName: 'Bob' }), record(BOB, 2, { displayName: 'Bob', verifiedAt: 5 })])
    const [mallory, bob] = view.all()
    expect(mallory?.resembles).toEqual([])
    expect(bob).toMatchObject({ verified: true, verifiedAt: 5, resembles: [] })
    const stranger = view.contact(CAROL, undefined)
    expect(stranger).toMatchObject({ publicKey: CAROL, known: false, verified: false, devices: [], resembles: [] })
  })

  it('checks a key without a record against every contact, whenever they were met', () => {
    const view = new ContactView([record(BOB, 10, { displayName: aliasOf(CAROL) })])
    expect(view.contact(CAROL, undefined).resembles).toEqual([{ publicKey: BOB, alias: aliasOf(BOB), displayName: aliasOf(CAROL) }])
  })
})
