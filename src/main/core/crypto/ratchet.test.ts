import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { CryptoError } from '../primitives/crypto-error'
import {
  confirmMessageKey,
  encodeRatchetHeader,
  initiatorRatchet,
  kdfChain,
  kdfRoot,
  ratchetDecrypt,
  ratchetEncrypt,
  ratchetSessionId,
  responderRatchet,
  STATUS_RATCHET_LIMITS,
  type EncryptResult,
  type RatchetLimits,
  type RatchetState
} from './ratchet'
import { decodeRatchetState, encodeRatchetState } from './ratchet-codec'
import { ecdh, publicKeyOf, type RandomBytes } from '../primitives/secp256k1'
import { x3dhInitiatorSecret } from './x3dh'

const ascii32 = (c: string) => utf8ToBytes(c.repeat(32))
const bobSignedPreKey = ascii32('3')
const X3DH_SK = x3dhInitiatorSecret({
  myIdentityKey: ascii32('0'),
  myEphemeralKey: ascii32('1'),
  theirIdentityKey: publicKeyOf(ascii32('2')),
  theirSignedPreKey: publicKeyOf(bobSignedPreKey)
})

/** Deterministic byte stream: sha256(seed ‖ counter) blocks. */
function seededRandom(seed: string): RandomBytes {
  let counter = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let off = 0; off < length; off += 32) {
      const block = sha256(concatBytes(utf8ToBytes(seed), Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter)))
      counter += 1
      out.set(block.subarray(0, Math.min(32, length - off)), off)
    }
    return out
  }
}

function expectCryptoError(fn: () => unknown, code: CryptoError['code']): CryptoError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(CryptoError)
  expect((caught as CryptoError).code).toBe(code)
  return caught as CryptoError
}

function newPair(seed: string): { alice: RatchetState; bob: RatchetState; random: RandomBytes } {
  const random = seededRandom(seed)
  return {
    alice: initiatorRatchet(X3DH_SK, publicKeyOf(bobSignedPreKey), random),
    bob: responderRatchet(X3DH_SK, bobSignedPreKey),
    random
  }
}

/** Encrypts `count` messages "<label> <i>" in a row. */
function sendMany(state: RatchetState, label: string, count: number): { state: RatchetState; sent: EncryptResult[] } {
  const sent: EncryptResult[] = []
  for (let i = 0; i < count; i++) {
    const result = ratchetEncrypt(state, utf8ToBytes(`${label} ${i}`))
    sent.push(result)
    state = result.state
  }
  return { state, sent }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe('Status Double Ratchet: KDFs and the computed DR step (spec §4.3)', () => {
  it('reproduces every intermediate value and the ciphertext of "hello"', () => {
    const aliceRatchetKey = ascii32('4')
    expect(bytesToHex(X3DH_SK)).toBe('a4e923d0af8fe78a056363be20e71c0a58e569ea8fc1f79289eca10d9f68133a')
    expect(bytesToHex(publicKeyOf(aliceRatchetKey))).toBe('02407cba6352eaeb9354dc75ca26396785b27a85cfd4d58575de440902292d662a')

    const dhOut = ecdh(aliceRatchetKey, publicKeyOf(bobSignedPreKey))
    expect(bytesToHex(dhOut)).toBe('6b16957bec6b3de033000e5a9f122a6c0208534d0db690aebe6a25c01faf2439')
    const [rk1, cks0] = kdfRoot(X3DH_SK, dhOut)
    expect(bytesToHex(rk1)).toBe('6b85bad948a9606aab8d6661a4b00f4842dc1801733e94c4c20e3578b117127f')
    expect(bytesToHex(cks0)).toBe('24afc0323384ab0dba6736dc679f3b52f900d79f8cfc97b7a508c904781a45e4')
    const [cks1, mk0] = kdfChain(cks0)
    expect(bytesToHex(mk0)).toBe('0640b9b309b93a13a7739fa897a2fdd9be857780d6a3a92abd5708f84ac82e10')
    expect(bytesToHex(cks1)).toBe('06a65d696866e5be652bfdb8e7a73bcebe127f9c3d3595eaafcadb83cf9cc94d')

    const alice = initiatorRatchet(X3DH_SK, publicKeyOf(bobSignedPreKey), () => aliceRatchetKey.slice())
    expect(bytesToHex(alice.rootKey)).toBe(bytesToHex(rk1))
    const { header, ciphertext, state } = ratchetEncrypt(alice, utf8ToBytes('hello'))
    expect(header).toEqual({ dh: publicKeyOf(aliceRatchetKey), n: 0, pn: 0 })
    expect(bytesToHex(encodeRatchetHeader(header))).toBe('0000000000000000' + bytesToHex(publicKeyOf(aliceRatchetKey)))
    expect(bytesToHex(ciphertext)).toBe(
      '3c14b0418efc07c686eb14fa0d608f63b94e031464520b24484ce4e6b771e56f2785deb99f75ad775389797f8715cde49f13c45023'
    )
    expect(bytesToHex(state.send.key)).toBe(bytesToHex(cks1))
    expect(alice.send.n).toBe(0)
  })

  it('session id is bundle id ‖ utf8(installation id)', () => {
    expect(bytesToHex(ratchetSessionId(Uint8Array.of(2, 0xab), 'ab'))).toBe('02ab6162')
  })
})

describe('Status Double Ratchet: conversation', () => {
  it('delivers out of order, duplicated and dropped messages exactly once; replays after commit fail', () => {
    let { alice, bob, random } = newPair('conversation')
    const seen: string[] = []
    const receive = (who: 'alice' | 'bob', message: EncryptResult, confirm = true) => {
      const state = who === 'alice' ? alice : bob
      const result = ratchetDecrypt(state, message.header, message.ciphertext, { random })
      const next = confirm ? confirmMessageKey(result.state, result.messageKey) : result.state
      if (who === 'alice') alice = next
      else bob = next
      seen.push(text(result.plaintext))
    }

    const a1 = sendMany(alice, 'a1', 5)
    alice = a1.state
    // Out of order across the X3DH-initial chain, with a2 (index 2) dropped for good.
    receive('bob', a1.sent[3]!)
    receive('bob', a1.sent[0]!)
    receive('bob', a1.sent[4]!)
    receive('bob', a1.sent[1]!)
    // Replays of committed messages fail whether the key was skipped or current.
    expectCryptoError(() => ratchetDecrypt(bob, a1.sent[3]!.header, a1.sent[3]!.ciphertext, { random }), 'MESSAGE_KEY_DELETED')
    expectCryptoError(() => ratchetDecrypt(bob, a1.sent[0]!.header, a1.sent[0]!.ciphertext, { random }), 'MESSAGE_KEY_DELETED')

    const b1 = sendMany(bob, 'b1', 3)
    bob = b1.state
    receive('alice', b1.sent[2]!)
    receive('alice', b1.sent[0]!)

    // Alice's second chain; Bob gets its first message before the stragglers of both earlier chains.
    const a2 = sendMany(alice, 'a2', 2)
    alice = a2.state
    receive('bob', a2.sent[1]!)
    receive('alice', b1.sent[1]!)
    receive('bob', a2.sent[0]!)

    // A duplicate delivered before its commit decrypts again (the key is kept until confirmation) ...
    const pending = ratchetDecrypt(bob, a1.sent[2]!.header, a1.sent[2]!.ciphertext, { random })
    expect(text(pending.plaintext)).toBe('a1 2')
    const again = ratchetDecrypt(pending.state, a1.sent[2]!.header, a1.sent[2]!.ciphertext, { random })
    expect(text(again.plaintext)).toBe('a1 2')
    // ... and the uncommitted state leaves the original untouched, so a crash before persisting loses nothing.
    expect(text(ratchetDecrypt(bob, a1.sent[2]!.header, a1.sent[2]!.ciphertext, { random }).plaintext)).toBe('a1 2')
    bob = confirmMessageKey(again.state, again.messageKey)
    expectCryptoError(() => ratchetDecrypt(bob, a1.sent[2]!.header, a1.sent[2]!.ciphertext, { random }), 'MESSAGE_KEY_DELETED')

    expect(seen).toEqual(['a1 3', 'a1 0', 'a1 4', 'a1 1', 'b1 2', 'b1 0', 'a2 1', 'b1 1', 'a2 0'])
    expect(bob.messageKeys).toHaveLength(0)
    expect(alice.messageKeys).toHaveLength(0)
  })

  it('keeps the state unchanged when authentication fails', () => {
    const { alice, bob, random } = newPair('tamper')
    const { header, ciphertext } = ratchetEncrypt(alice, utf8ToBytes('x'))
    const flipped = ciphertext.slice()
    flipped[20]! ^= 1
    expectCryptoError(() => ratchetDecrypt(bob, header, flipped, { random }), 'AUTHENTICATION_FAILED')
    expectCryptoError(() => ratchetDecrypt(bob, { ...header, pn: 1 }, ciphertext, { random }), 'AUTHENTICATION_FAILED')
    expectCryptoError(() => ratchetDecrypt(bob, header, ciphertext.subarray(0, 47), { random }), 'CIPHERTEXT_MALFORMED')
    expectCryptoError(() => ratchetDecrypt(bob, { ...header, dh: new Uint8Array(33) }, ciphertext, { random }), 'INVALID_KEY')
    expectCryptoError(() => ratchetDecrypt(bob, { ...header, n: -1 }, ciphertext, { random }), 'CIPHERTEXT_MALFORMED')
    expect(text(ratchetDecrypt(bob, header, ciphertext, { random }).plaintext)).toBe('x')
  })

  it('authenticates the caller associated data', () => {
    const { alice, bob, random } = newPair('ad')
    const ad = utf8ToBytes('context')
    const { header, ciphertext } = ratchetEncrypt(alice, utf8ToBytes('y'), ad)
    expectCryptoError(() => ratchetDecrypt(bob, header, ciphertext, { random }), 'AUTHENTICATION_FAILED')
    expect(text(ratchetDecrypt(bob, header, ciphertext, { random, associatedData: ad }).plaintext)).toBe('y')
  })

  it('rejects an all-zero shared key', () => {
    expectCryptoError(() => responderRatchet(new Uint8Array(32), bobSignedPreKey), 'INVALID_KEY')
  })
})

describe('Status Double Ratchet: limits', () => {
  it('enforces MaxSkip = 1000 with a clear error', () => {
    const { alice, bob, random } = newPair('maxskip')
    const { sent } = sendMany(alice, 'm', 1002)
    const error = expectCryptoError(() => ratchetDecrypt(bob, sent[1001]!.header, sent[1001]!.ciphertext, { random }), 'TOO_MANY_SKIPPED')
    expect(error.message).toContain('1001 skipped messages exceed MaxSkip 1000')
    const ok = ratchetDecrypt(bob, sent[1000]!.header, sent[1000]!.ciphertext, { random })
    expect(text(ok.plaintext)).toBe('m 1000')
    expect(ok.state.messageKeys).toHaveLength(1001)
  })

  it('caps stored keys per session at 2000, evicting the oldest', () => {
    const { alice, random } = newPair('per-session')
    let { bob } = newPair('per-session')
    const { sent } = sendMany(alice, 'm', 2001)
    bob = ratchetDecrypt(bob, sent[1000]!.header, sent[1000]!.ciphertext, { random }).state
    bob = ratchetDecrypt(bob, sent[2000]!.header, sent[2000]!.ciphertext, { random }).state
    expect(bob.messageKeys).toHaveLength(STATUS_RATCHET_LIMITS.maxMessageKeysPerSession)
    expectCryptoError(() => ratchetDecrypt(bob, sent[0]!.header, sent[0]!.ciphertext, { random }), 'MESSAGE_KEY_DELETED')
    expect(text(ratchetDecrypt(bob, sent[1]!.header, sent[1]!.ciphertext, { random }).plaintext)).toBe('m 1')
  })

  it('MaxKeep = 3000 evicts skipped keys older than the last 3000 derived keys', () => {
    const { alice, random } = newPair('maxkeep')
    let { bob } = newPair('maxkeep')
    const { sent } = sendMany(alice, 'm', 3001)
    const first = ratchetDecrypt(bob, sent[1000]!.header, sent[1000]!.ciphertext, { random })
    bob = confirmMessageKey(first.state, first.messageKey)
    for (let i = 1001; i <= 2999; i++) {
      const r = ratchetDecrypt(bob, sent[i]!.header, sent[i]!.ciphertext, { random })
      bob = confirmMessageKey(r.state, r.messageKey)
    }
    expect(bob.keysCount).toBe(3000)
    expect(bob.messageKeys).toHaveLength(999) // keysCount 3000 ≥ MaxKeep: seq 0 (message 0) is gone
    const last = ratchetDecrypt(bob, sent[3000]!.header, sent[3000]!.ciphertext, { random })
    bob = confirmMessageKey(last.state, last.messageKey)
    expect(bob.messageKeys.map((k) => k.n).slice(0, 2)).toEqual([2, 3])
    expectCryptoError(() => ratchetDecrypt(bob, sent[1]!.header, sent[1]!.ciphertext, { random }), 'MESSAGE_KEY_DELETED')
    expect(text(ratchetDecrypt(bob, sent[2]!.header, sent[2]!.ciphertext, { random }).plaintext)).toBe('m 2')
  })

  it('applies custom limits in status-go order: per-session cap, then the MaxKeep window', () => {
    const limits: RatchetLimits = { maxSkip: 10, maxKeep: 4, maxMessageKeysPerSession: 3 }
    const { alice, bob, random } = newPair('custom')
    const { sent } = sendMany(alice, 'm', 6)
    const r = ratchetDecrypt(bob, sent[5]!.header, sent[5]!.ciphertext, { random, limits })
    // Keys seq 0..5 derived; the cap keeps 3..5, MaxKeep (6 - 4 = 2) removes nothing more.
    expect(r.state.messageKeys.map((k) => k.n)).toEqual([3, 4, 5])
  })
})

describe('Status Double Ratchet: persistence', () => {
  it('round-trips the state exactly mid-conversation and continues from the restored copy', () => {
    let { alice, bob, random } = newPair('persist')
    const a = sendMany(alice, 'a', 4)
    alice = a.state
    const r = ratchetDecrypt(bob, a.sent[2]!.header, a.sent[2]!.ciphertext, { random })
    bob = r.state // message 2 not yet confirmed; 0 and 1 skipped

    const encoded = encodeRatchetState(bob)
    const restored = decodeRatchetState(encoded)
    expect(restored).toEqual(bob)
    expect(bytesToHex(encodeRatchetState(restored))).toBe(bytesToHex(encoded))

    const replyRandom = seededRandom('reply')
    const fromOriginal = ratchetDecrypt(bob, a.sent[0]!.header, a.sent[0]!.ciphertext, { random: replyRandom })
    const fromRestored = ratchetDecrypt(restored, a.sent[0]!.header, a.sent[0]!.ciphertext, { random: seededRandom('reply') })
    expect(fromRestored.state).toEqual(fromOriginal.state)
    bob = confirmMessageKey(fromRestored.state, fromRestored.messageKey)

    const reply = ratchetEncrypt(bob, utf8ToBytes('from restored bob'))
    expect(text(ratchetDecrypt(alice, reply.header, reply.ciphertext, { random }).plaintext)).toBe('from restored bob')
    expect(text(ratchetDecrypt(bob, a.sent[3]!.header, a.sent[3]!.ciphertext, { random }).plaintext)).toBe('a 3')
  })

  it('stores bytes as bytes: no text, a format byte, far smaller than the JSON it replaced', () => {
    const { bob } = newPair('compact')
    const encoded = encodeRatchetState(bob)
    expect(encoded[0]).toBe(2)
    expect(encoded.length).toBeLessThan(utf8ToBytes(JSON.stringify(legacyJson(bob))).length / 2)
  })

  it('reads the JSON format Hush stored before (format 1) into the same state', () => {
    let { alice, bob, random } = newPair('legacy')
    const a = sendMany(alice, 'a', 3)
    alice = a.state
    bob = ratchetDecrypt(bob, a.sent[2]!.header, a.sent[2]!.ciphertext, { random }).state
    const restored = decodeRatchetState(utf8ToBytes(JSON.stringify(legacyJson(bob))))
    expect(restored).toEqual(bob)
    expect(bytesToHex(encodeRatchetState(restored))).toBe(bytesToHex(encodeRatchetState(bob)))
  })

  it('rejects malformed or inconsistent stored state with a typed error', () => {
    const { bob } = newPair('bad-state')
    const json = legacyJson(bob)
    expectCryptoError(() => decodeRatchetState(utf8ToBytes('{')), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(Uint8Array.of(0xff, 0xfe)), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(new Uint8Array(0)), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(utf8ToBytes(JSON.stringify({ ...json, rootKey: 'abc' }))), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(utf8ToBytes(JSON.stringify({ ...json, keysCount: -1 }))), 'STATE_MALFORMED')
    const otherKey = publicKeyOf(ascii32('9'))
    expectCryptoError(
      () => decodeRatchetState(utf8ToBytes(JSON.stringify({ ...json, self: { ...json.self, publicKey: bytesToHex(otherKey) } }))),
      'STATE_MALFORMED'
    )
    const encoded = encodeRatchetState(bob)
    expectCryptoError(() => decodeRatchetState(encoded.subarray(0, encoded.length - 5)), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(encodeRatchetState({ ...bob, rootKey: new Uint8Array(31) })), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(encodeRatchetState({ ...bob, keysCount: 0.5 })), 'STATE_MALFORMED')
    expectCryptoError(() => decodeRatchetState(encodeRatchetState({ ...bob, self: { ...bob.self, publicKey: otherKey } })), 'STATE_MALFORMED')
  })
})

/** A ratchet state as Hush stored it before the binary format (format 1, UTF-8 JSON with hex). */
function legacyJson(state: RatchetState) {
  const chain = (c: { key: Uint8Array; n: number }) => ({ key: bytesToHex(c.key), n: c.n })
  return {
    version: 1,
    rootKey: bytesToHex(state.rootKey),
    self: { privateKey: bytesToHex(state.self.privateKey), publicKey: bytesToHex(state.self.publicKey) },
    remote: bytesToHex(state.remote),
    send: chain(state.send),
    receive: chain(state.receive),
    previousSendCount: state.previousSendCount,
    keysCount: state.keysCount,
    messageKeys: state.messageKeys.map((k) => ({ dh: bytesToHex(k.dh), n: k.n, key: bytesToHex(k.key), seq: k.seq }))
  }
}
