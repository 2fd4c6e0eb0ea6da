import { create } from '@bufbuild/protobuf'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { BundleSchema, SignedPreKeySchema } from './gen/encryption/protocol_message_pb'
import { publicKeyOf } from '../primitives/secp256k1'
import { identityKeyHex } from './installations'
import { NegotiatedSecrets, type SharedSecretEvent } from './negotiated-secrets'
import { RecordIds, SECRET_PREFIX } from './protocol-state'
import { negotiatedSecret } from './shared-secret'

const me = utf8ToBytes('0'.repeat(32))
const them = publicKeyOf(utf8ToBytes('2'.repeat(32)), false)
const peer = identityKeyHex(them)
const bundle = create(BundleSchema, {
  identity: publicKeyOf(utf8ToBytes('2'.repeat(32)), true),
  signedPreKeys: { a: create(SignedPreKeySchema, { signedPreKey: new Uint8Array(33), protocolVersion: 1 }) }
})

function secrets(targets: string[]) {
  const events: SharedSecretEvent[] = []
  const book = new NegotiatedSecrets({ identityKey: me, ids: new RecordIds(me), targetsOf: () => targets, onEvent: (e) => events.push(e) })
  return { book, events }
}

describe('negotiated secrets', () => {
  it('computes the ECDH once per peer, then reads it from memory or its record', () => {
    const { book } = secrets(['a'])
    const first = book.secretWith(them)
    expect(bytesToHex(first)).toBe(bytesToHex(negotiatedSecret(me, them)))
    expect(book.secretWith(them)).toBe(first)
    expect(book.agreement(them, peer, ['a']).secret).toBe(first)
    const writes = book.record(them, peer, 'a', [bundle])
    expect(writes).toHaveLength(1)
    expect(writes[0]!.key.startsWith(SECRET_PREFIX)).toBe(true)
    expect(book.secretWith(them)).toBe(first)

    // After a restart the secret comes from the loaded book, not from a new ECDH.
    const loaded = { [peer]: { secret: Uint8Array.from(first), installations: ['a'] } }
    const restarted = secrets(['a'])
    restarted.book.load(loaded)
    expect(restarted.book.secretWith(them)).toBe(loaded[peer]!.secret)
    expect(restarted.events).toMatchObject([{ peer: `0x${bytesToHex(them)}`, negotiatedReady: true }])
  })

  it('records and announces only installations that negotiate, and each one once', () => {
    const { book, events } = secrets(['a', 'b'])
    const old = create(BundleSchema, { ...bundle, signedPreKeys: { a: create(SignedPreKeySchema, { signedPreKey: new Uint8Array(33), protocolVersion: 0 }) } })
    expect(book.record(them, peer, 'a', [old])).toEqual([])
    expect(book.has(peer)).toBe(false)
    expect(book.record(them, peer, 'a', [bundle])).toHaveLength(1)
    expect(book.record(them, peer, 'a', [bundle])).toEqual([])
    expect(events.map((e) => e.negotiatedReady)).toEqual([false])
    expect(book.agreement(them, peer, ['a']).agreed).toBe(true)
    expect(book.agreement(them, peer, ['a', 'b']).agreed).toBe(false)
    book.announce(peer, false)
    expect(events).toHaveLength(1)
    expect(book.events()).toHaveLength(1)
  })
})
