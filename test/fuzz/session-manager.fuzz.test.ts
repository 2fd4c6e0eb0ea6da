import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import * as fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { CryptoError } from '../../src/main/core/primitives/crypto-error'
import { SessionManager } from '../../src/main/core/crypto/session-manager'
import {
  BundleSchema,
  DirectMessageProtocolSchema,
  ProtocolMessageSchema,
  type Bundle,
  type DirectMessageProtocol
} from '../../src/main/core/crypto/gen/encryption/protocol_message_pb'
import { EncryptedStore, deriveStoreKey } from '../../src/main/core/storage/encrypted-store'
import { assertAsyncProperty, mutated, onlyRejects, protobufWire } from './harness'

const NOW = 1_700_000_000_000
const dirs: string[] = []
const stores: EncryptedStore[] = []
let receiver: SessionManager
let receiverKey: Uint8Array
let senderKey: Uint8Array
let genuine: Uint8Array

interface Party {
  sm: SessionManager
  store: EncryptedStore
  publicKey: Uint8Array
}

async function party(name: string, installationId: string): Promise<Party> {
  const privateKey = sha256(utf8ToBytes(`fuzz identity ${name}`))
  const publicKey = secp256k1.getPublicKey(privateKey, false)
  const dir = mkdtempSync(join(tmpdir(), 'hush-fuzz-sessions-'))
  dirs.push(dir)
  const store = await EncryptedStore.open(dir, deriveStoreKey(privateKey))
  stores.push(store)
  let counter = 0
  const random = (length: number) => Uint8Array.from({ length }, (_, i) => sha256(utf8ToBytes(`${name}/${counter++}`))[i % 32] as number)
  const sm = new SessionManager({ identity: { privateKey, publicKey }, installationId, store, now: () => NOW, random })
  await sm.init()
  return { sm, store, publicKey }
}

async function send(from: Party, to: Party, text: string): Promise<Uint8Array> {
  const out = await from.sm.encrypt(to.publicKey, utf8ToBytes(text))
  await from.store.batch(out.writes)
  const received = await to.sm.decrypt(from.publicKey, out.protocolMessage)
  if (received.kind !== 'message') throw new Error(`setup: ${text} arrived as ${received.kind}`)
  await to.store.batch(received.writes)
  received.confirm()
  return out.protocolMessage
}

beforeAll(async () => {
  const alice = await party('alice', 'alice-laptop')
  const bob = await party('bob', 'bob-phone')
  receiver = alice.sm
  receiverKey = alice.publicKey
  senderKey = bob.publicKey
  // A real conversation, so altered messages reach the ratchet with a session in place: Bob's first message
  // goes by the DH fallback, Alice answers over X3DH, and Bob's next one is a plain ratchet message.
  await send(bob, alice, 'hello')
  await send(alice, bob, 'hi')
  const ratchet = await bob.sm.encrypt(alice.publicKey, utf8ToBytes('how are you'))
  await bob.store.batch(ratchet.writes)
  genuine = ratchet.protocolMessage
  assert.notEqual(fromBinary(ProtocolMessageSchema, genuine).directMessage['alice-laptop']?.DRHeader, undefined)
})

afterAll(async () => {
  for (const store of stores) await store.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const pointPool = Array.from({ length: 6 }, (_, i) => secp256k1.getPublicKey(sha256(utf8ToBytes(`point ${i}`)), true))
const key = fc.oneof(fc.constantFrom(...pointPool), fc.uint8Array({ minLength: 33, maxLength: 33 }), fc.uint8Array({ maxLength: 70 }))
const installationId = fc.oneof(fc.constantFrom('alice-laptop', 'bob-phone', 'none', ''), fc.string({ maxLength: 140 }))
const direct: fc.Arbitrary<DirectMessageProtocol> = fc
  .record(
    {
      DRHeader: fc.record({ key, n: fc.nat(), pn: fc.nat(), id: key }),
      DHHeader: fc.record({ key }),
      X3DHHeader: fc.record({ key, id: key }),
      payload: fc.uint8Array({ maxLength: 80 })
    },
    { requiredKeys: [] }
  )
  .map((fields) => create(DirectMessageProtocolSchema, fields))
const bundle: fc.Arbitrary<Bundle> = fc
  .record({
    identity: key,
    signedPreKeys: fc.dictionary(installationId, fc.record({ signedPreKey: key, version: fc.nat(), protocolVersion: fc.nat() }), { maxKeys: 3 }),
    signature: fc.uint8Array({ maxLength: 70 }),
    timestamp: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
  })
  .map((fields) => create(BundleSchema, fields))

/** The genuine message with some of its parts replaced by hostile ones. */
const altered = fc
  .record(
    {
      installationId,
      bundles: fc.array(bundle, { maxLength: 2 }),
      directMessage: fc.dictionary(installationId, direct, { maxKeys: 2 }),
      publicMessage: fc.uint8Array({ maxLength: 20 })
    },
    { requiredKeys: [] }
  )
  .map((changes) => toBinary(ProtocolMessageSchema, { ...fromBinary(ProtocolMessageSchema, genuine), ...changes }))

describe('session manager decrypt', () => {
  it('rejects only with CryptoError, whatever the sender sends', async () => {
    const input = fc.oneof(
      altered,
      mutated(fc.constant(0).map(() => genuine)),
      protobufWire([2, 3, 101, 102])
    )
    await assertAsyncProperty('session decrypt', 150, fc.asyncProperty(input, fc.boolean(), async (bytes, fromSelf) => {
      await onlyRejects(() => receiver.decrypt(fromSelf ? receiverKey : senderKey, bytes), CryptoError)
    }))
  })

  it('rejects only with CryptoError on a hostile contact-code bundle', async () => {
    const input = fc.oneof(bundle.map((b) => toBinary(BundleSchema, b)), protobufWire([1, 2, 4, 5]))
    await assertAsyncProperty('session bundle', 150, fc.asyncProperty(input, async (bytes) => {
      await onlyRejects(() => receiver.handleBundle(senderKey, bytes), CryptoError)
    }))
  })
})
