import { create } from '@bufbuild/protobuf'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BundleSchema, SignedPreKeySchema, type Bundle } from './gen/encryption/protocol_message_pb'
import {
  activeInstallations,
  identityKeyHex,
  MAX_INSTALLATIONS,
  pairedSignedPreKeys,
  recordBundle,
  setInstallationEnabled,
  type InstallationBook
} from './installations'
import { compressPublicKey, publicKeyOf } from '../primitives/secp256k1'

const me = publicKeyOf(utf8ToBytes('0'.repeat(32)), false)
const peer = publicKeyOf(utf8ToBytes('2'.repeat(32)), false)
const spk = (c: string) => publicKeyOf(utf8ToBytes(c.repeat(32)))
const context = (nowMs: number) => ({ myPublicKey: me, myInstallationId: 'my-device', nowMs })

function bundleOf(owner: Uint8Array, timestampMs: number, prekeys: Record<string, { key: string; version?: number; protocolVersion?: number }>): Bundle {
  return create(BundleSchema, {
    identity: compressPublicKey(owner),
    timestamp: BigInt(timestampMs) * 1_000_000n,
    signedPreKeys: Object.fromEntries(
      Object.entries(prekeys).map(([id, p]) => [
        id,
        create(SignedPreKeySchema, { signedPreKey: spk(p.key), version: p.version ?? 1, protocolVersion: p.protocolVersion ?? 1 })
      ])
    )
  })
}

const ids = (book: InstallationBook, who: Uint8Array, max?: number) => activeInstallations(book, who, max).map((i) => i.id)

describe('installations (§4.7)', () => {
  it('learns a peer’s installations from a bundle, enabled, with first-seen and last-seen times', () => {
    const { book, added } = recordBundle({}, bundleOf(peer, 5_000, { p1: { key: '3' }, p2: { key: '4' } }), context(9_000))
    expect(added.map((i) => i.id)).toEqual(['p1', 'p2'])
    expect(activeInstallations(book, peer)).toEqual([
      expect.objectContaining({ id: 'p1', enabled: true, firstSeenMs: 9_000, lastSeenMs: 5_000, signedPreKey: spk('3') }),
      expect.objectContaining({ id: 'p2', enabled: true, firstSeenMs: 9_000, lastSeenMs: 5_000, signedPreKey: spk('4') })
    ])
    expect(recordBundle(book, bundleOf(peer, 6_000, { p1: { key: '3' } }), context(10_000)).added).toEqual([])
  })

  it('keeps at most 3 active installations, most recently seen first; disabling one promotes the next', () => {
    let book: InstallationBook = {}
    for (const [i, t] of [
      ['d1', 1_000],
      ['d2', 4_000],
      ['d3', 2_000],
      ['d4', 3_000]
    ] as const) {
      book = recordBundle(book, bundleOf(peer, t, { [i]: { key: '5' } }), context(t)).book
    }
    expect(MAX_INSTALLATIONS).toBe(3)
    expect(ids(book, peer)).toEqual(['d2', 'd4', 'd3'])
    book = setInstallationEnabled(book, peer, 'd4', false)
    expect(ids(book, peer)).toEqual(['d2', 'd3', 'd1'])
    // A newer bundle moves d1 to the front; its first-seen time stays.
    book = recordBundle(book, bundleOf(peer, 9_000, { d1: { key: '5' } }), context(9_500)).book
    expect(ids(book, peer)).toEqual(['d1', 'd2', 'd3'])
    expect(activeInstallations(book, peer)[0]!.firstSeenMs).toBe(1_000)
  })

  it('processes bundles out of order without moving back in time or to an older prekey', () => {
    let book = recordBundle({}, bundleOf(peer, 8_000, { p: { key: '6', version: 2, protocolVersion: 1 } }), context(1)).book
    book = recordBundle(book, bundleOf(peer, 3_000, { p: { key: '7', version: 1, protocolVersion: 0 } }), context(2)).book
    expect(activeInstallations(book, peer)[0]).toEqual(
      expect.objectContaining({ lastSeenMs: 8_000, protocolVersion: 1, signedPreKey: spk('6'), signedPreKeyVersion: 2 })
    )
    // A higher prekey version replaces the older prekey.
    book = recordBundle(book, bundleOf(peer, 9_000, { p: { key: '8', version: 3 } }), context(3)).book
    expect(activeInstallations(book, peer)[0]).toEqual(expect.objectContaining({ signedPreKey: spk('8'), signedPreKeyVersion: 3 }))
  })

  it('skips our own installation and leaves our other new devices disabled until approved', () => {
    let book = recordBundle({}, bundleOf(me, 1_000, { 'my-device': { key: '3' }, laptop: { key: '4' }, phone: { key: '5' } }), context(1)).book
    expect(ids(book, me)).toEqual([])
    expect(pairedSignedPreKeys(book, me)).toEqual({})
    book = setInstallationEnabled(book, me, 'laptop', true)
    book = setInstallationEnabled(book, me, 'phone', true)
    expect(ids(book, me)).toEqual(['laptop', 'phone'])
    const paired = pairedSignedPreKeys(book, me)
    expect(Object.keys(paired)).toEqual(['laptop', 'phone'])
    expect(paired['laptop']!.signedPreKey).toEqual(spk('4'))
  })

  it('our bundle carries at most 2 paired devices besides this one', () => {
    let book = recordBundle({}, bundleOf(me, 1_000, { a: { key: '3' }, b: { key: '4' }, c: { key: '5' } }), context(1)).book
    for (const id of ['a', 'b', 'c']) book = setInstallationEnabled(book, me, id, true)
    expect(Object.keys(pairedSignedPreKeys(book, me))).toHaveLength(MAX_INSTALLATIONS - 1)
  })

  it('ignores enabling an unknown installation', () => {
    const book = recordBundle({}, bundleOf(peer, 1, { p: { key: '3' } }), context(1)).book
    expect(setInstallationEnabled(book, peer, 'nope', false)).toBe(book)
  })

  it('names an identity by its compressed key, in either encoding, and refuses what is not a key', () => {
    const key = utf8ToBytes('5'.repeat(32))
    const hex = identityKeyHex(publicKeyOf(key, true))
    for (let i = 0; i < 2; i++) {
      expect(identityKeyHex(publicKeyOf(key, false))).toBe(hex)
      expect(identityKeyHex(publicKeyOf(key, true))).toBe(hex)
      expect(() => identityKeyHex(new Uint8Array(33).fill(5))).toThrow()
    }
  })
})
