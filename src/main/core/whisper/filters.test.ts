import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it, vi } from 'vitest'
import * as message from './message'
import { FULL_BLOOM, mergeBlooms, topicToBloom } from './bloom'
import { encodeEnvelope, envelopeHash, type Envelope } from './envelope'
import { FilterSet } from './filters'

const SYM = hexToBytes('03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')
const SYM2 = hexToBytes('13ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31')
const PRV = hexToBytes('d0b043b4c5d657670778242d82d68a29d25d7d711127d17b8e299f156dad361a')
const SIGNER = hexToBytes('7ebbc6a8358bc76dd73ebc557056702c8cfc34e5cfcd90eb83af0347575fd2ad')
const T1 = hexToBytes('cd423760')
const T2 = hexToBytes('f8946aac')

function make(key: message.SealKey, topic = T1, signWith?: Uint8Array): { envelope: Envelope; hashHex: string; pow: number } {
  const envelope = message.sealMessage({ payload: utf8ToBytes('hello'), topic, ttl: 20, powTarget: 0, workTimeMs: 0, key, signWith, now: () => 1_000_000 })
  return { envelope, hashHex: bytesToHex(envelopeHash(encodeEnvelope(envelope))), pow: 0.5 }
}

describe('FilterSet (spec §3.5)', () => {
  it('delivers to filters watching the topic with the right key, with metadata', () => {
    const set = new FilterSet()
    const a = set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM } })
    set.install({ topics: [T2], key: { kind: 'sym', symKey: SYM } })
    set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM2 } })
    const pooled = make({ symKey: SYM }, T1, SIGNER)
    const out = set.deliver(pooled, { p2p: false })
    expect(out.map((d) => d.filterId)).toEqual([a])
    const m = out[0]!.message
    expect(new TextDecoder().decode(m.payload)).toBe('hello')
    expect(m.signer).toEqual(secp256k1.getPublicKey(SIGNER, false))
    expect(m).toMatchObject({ topic: T1, sent: 1000, ttl: 20, pow: 0.5, envelopeHash: pooled.hashHex })
  })

  it('decrypts once per key and stops trying other keys after success', () => {
    const spy = vi.spyOn(message, 'openEnvelope')
    const set = new FilterSet()
    const ids = [
      set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM2 } }),
      set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM2 } }),
      set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM } }),
      set.install({ topics: [], key: { kind: 'sym', symKey: SYM } }),
      set.install({ topics: [T1], key: { kind: 'asym', privateKey: PRV } })
    ]
    spy.mockClear()
    const out = set.deliver(make({ symKey: SYM }), { p2p: false })
    expect(out.map((d) => d.filterId).sort()).toEqual([ids[2], ids[3]].sort())
    expect(spy).toHaveBeenCalledTimes(2)
    expect(out[0]!.message).toBe(out[1]!.message)
    spy.mockRestore()
  })

  it('does not decrypt, for a filter, an envelope its subscriber already processed', () => {
    const spy = vi.spyOn(message, 'openEnvelope')
    const set = new FilterSet()
    const pooled = make({ symKey: SYM })
    const processed = new Set([pooled.hashHex])
    const skipping = set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM }, processed: (hashHex) => processed.has(hashHex) })
    spy.mockClear()
    expect(set.deliver(pooled, { p2p: false })).toEqual([])
    expect(spy).not.toHaveBeenCalled()
    const other = make({ symKey: SYM }, T1, SIGNER)
    expect(set.deliver(other, { p2p: false }).map((d) => d.filterId)).toEqual([skipping])
    expect(spy).toHaveBeenCalledTimes(1)
    // Another subscriber of the same key that has not processed it still gets it.
    const plain = set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM } })
    expect(set.deliver(pooled, { p2p: false }).map((d) => d.filterId)).toEqual([plain])
    spy.mockRestore()
  })

  it('asymmetric filters, PoW floor, p2p permission and source restriction', () => {
    const set = new FilterSet()
    const plain = set.install({ topics: [T1], key: { kind: 'asym', privateKey: PRV } })
    const p2p = set.install({ topics: [T1], key: { kind: 'asym', privateKey: PRV }, allowP2P: true })
    const strict = set.install({ topics: [T1], key: { kind: 'asym', privateKey: PRV }, minPow: 1 })
    const fromSigner = set.install({ topics: [T1], key: { kind: 'asym', privateKey: PRV }, src: secp256k1.getPublicKey(SIGNER, false) })
    const unsigned = make({ publicKey: secp256k1.getPublicKey(PRV) })
    expect(set.deliver(unsigned, { p2p: false }).map((d) => d.filterId)).toEqual([plain, p2p])
    expect(set.deliver(unsigned, { p2p: true }).map((d) => d.filterId)).toEqual([p2p])
    const signed = make({ publicKey: secp256k1.getPublicKey(PRV) }, T1, SIGNER)
    expect(set.deliver({ ...signed, pow: 2 }, { p2p: false }).map((d) => d.filterId)).toEqual([plain, p2p, strict, fromSigner])
  })

  it('uninstall removes a filter; bloom aggregates topics', () => {
    const set = new FilterSet()
    expect(set.bloom()).toEqual(new Uint8Array(64))
    const a = set.install({ topics: [T1], key: { kind: 'sym', symKey: SYM } })
    const b = set.install({ topics: [T2, T1], key: { kind: 'sym', symKey: SYM } })
    expect(set.bloom()).toEqual(mergeBlooms(topicToBloom(T1), topicToBloom(T2)))
    expect(set.uninstall(b)).toBe(true)
    expect(set.uninstall(b)).toBe(false)
    expect(set.bloom()).toEqual(topicToBloom(T1))
    set.install({ topics: [], key: { kind: 'sym', symKey: SYM } })
    expect(set.bloom()).toEqual(FULL_BLOOM)
    set.uninstall(a)
    expect(set.size).toBe(1)
  })

  it('rejects bad keys and topics', () => {
    const set = new FilterSet()
    expect(() => set.install({ topics: [T1], key: { kind: 'sym', symKey: new Uint8Array(32) } })).toThrow(/zero/)
    expect(() => set.install({ topics: [T1], key: { kind: 'asym', privateKey: new Uint8Array(32) } })).toThrow(/private key/)
    expect(() => set.install({ topics: [new Uint8Array(3)], key: { kind: 'sym', symKey: SYM } })).toThrow(/4 bytes/)
  })
})
