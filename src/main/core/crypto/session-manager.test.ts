import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { ClassicLevel } from 'classic-level'
import { afterEach, describe, expect, it } from 'vitest'
import { BundleSchema, ProtocolMessageSchema, type ProtocolMessage } from '../protocol/gen/encryption/protocol_message_pb'
import { EncryptedStore, StoreError, deriveStoreKey } from '../storage/encrypted-store'
import { CryptoError } from './crypto-error'
import { negotiatedSecret } from './shared-secret'
import { publicKeyOf, type RandomBytes } from './secp256k1'
import { SessionManager, type DecryptOutcome, type EncryptOutcome, type SharedSecretEvent } from './session-manager'

const HOUR = 60 * 60 * 1000
const dirs: string[] = []
const stores: EncryptedStore[] = []

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Deterministic randomness: SHA-256 over a seed and a counter. */
function seededRandom(seed: string): RandomBytes {
  let counter = 0
  return (length) => {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 32) out.set(sha256(utf8ToBytes(`${seed}/${counter++}`)).subarray(0, Math.min(32, length - i)), i)
    return out
  }
}

const clock = { now: 1_600_000_000_000 }
const text = (s: string) => utf8ToBytes(s)
const read = (b: Uint8Array) => new TextDecoder().decode(b)

class Party {
  readonly privateKey: Uint8Array
  readonly publicKey: Uint8Array
  readonly dir: string
  store!: EncryptedStore
  sm!: SessionManager
  readonly secrets: SharedSecretEvent[] = []
  private restarts = 0

  constructor(
    readonly name: string,
    readonly installationId: string
  ) {
    this.privateKey = sha256(utf8ToBytes(`identity ${name}`))
    this.publicKey = publicKeyOf(this.privateKey, false)
    this.dir = mkdtempSync(join(tmpdir(), `hush-sessions-${installationId}-`))
    dirs.push(this.dir)
  }

  static async start(name: string, installationId: string): Promise<Party> {
    const party = new Party(name, installationId)
    await party.open()
    return party
  }

  async open(): Promise<void> {
    this.store = await EncryptedStore.open(this.dir, deriveStoreKey(this.privateKey))
    stores.push(this.store)
    this.sm = this.manager()
    this.sm.on('sharedSecret', (e) => this.secrets.push(e))
    await this.sm.init()
  }

  manager(): SessionManager {
    return new SessionManager({
      identity: { privateKey: this.privateKey, publicKey: this.publicKey },
      installationId: this.installationId,
      store: this.store,
      now: () => clock.now,
      random: seededRandom(`${this.installationId}/${this.restarts}`)
    })
  }

  /** Process exit: whatever was not committed is gone. */
  async restart(): Promise<void> {
    stores.splice(stores.indexOf(this.store), 1)
    await this.store.close()
    this.restarts++
    await this.open()
  }

  async send(to: Party, message: string): Promise<Uint8Array> {
    const out = await this.sm.encrypt(to.publicKey, text(message))
    await this.store.batch(out.writes)
    return out.protocolMessage
  }

  /** Decrypt, commit, confirm: the full receive path. */
  async receive(from: Party, protocolMessage: Uint8Array): Promise<string> {
    const outcome = await this.sm.decrypt(from.publicKey, protocolMessage)
    if (outcome.kind !== 'message') throw new Error(`expected a message, got ${outcome.kind}`)
    await this.store.batch(outcome.writes)
    outcome.confirm()
    return read(outcome.payload)
  }
}

function decode(protocolMessage: Uint8Array): ProtocolMessage {
  return fromBinary(ProtocolMessageSchema, protocolMessage)
}

function message(outcome: DecryptOutcome): Extract<DecryptOutcome, { kind: 'message' }> {
  expect(outcome.kind).toBe('message')
  return outcome as Extract<DecryptOutcome, { kind: 'message' }>
}

async function cryptoError(promise: Promise<unknown>): Promise<CryptoError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(CryptoError)
  return error as CryptoError
}

async function handshake(alice: Party, bob: Party): Promise<void> {
  expect(await bob.receive(alice, await alice.send(bob, 'hello bob'))).toBe('hello bob')
  expect(await alice.receive(bob, await bob.send(alice, 'hello alice'))).toBe('hello alice')
  expect(await bob.receive(alice, await alice.send(bob, 'all set'))).toBe('all set')
}

describe('SessionManager: first contact', () => {
  it('falls back to DH without a bundle, then runs X3DH and re-sends its header until the peer answers', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')

    const first = await alice.sm.encrypt(bob.publicKey, text('hi bob'))
    expect(first.installationIds).toEqual(['none'])
    expect(first.writes).toEqual([])
    const wire = decode(first.protocolMessage)
    expect(wire.installationId).toBe('alice-1')
    expect(wire.bundles).toHaveLength(1)
    expect(wire.directMessage.none?.DHHeader?.key).toHaveLength(33)
    const received = message(await bob.sm.decrypt(alice.publicKey, first.protocolMessage))
    expect(read(received.payload)).toBe('hi bob')
    expect(received.via).toBe('dh')
    expect(received.installationId).toBe('alice-1')
    await bob.store.batch(received.writes)

    // Bob learned Alice's bundle from that message, so he opens a session with X3DH.
    const aliceSpk = wire.bundles[0]!.signedPreKeys['alice-1']!.signedPreKey
    const replies: EncryptOutcome[] = []
    for (const body of ['one', 'two']) {
      const out = await bob.sm.encrypt(alice.publicKey, text(body))
      await bob.store.batch(out.writes)
      replies.push(out)
    }
    const [r1, r2] = replies.map((r) => decode(r.protocolMessage).directMessage['alice-1']!)
    expect(replies[0]!.installationIds).toEqual(['alice-1'])
    expect(r1!.X3DHHeader?.id).toEqual(aliceSpk)
    expect(r1!.DRHeader).toMatchObject({ n: 0, pn: 0, id: aliceSpk })
    // Re-sent: Alice has not answered yet.
    expect(r2!.X3DHHeader?.key).toEqual(r1!.X3DHHeader?.key)
    expect(r2!.DRHeader?.n).toBe(1)

    const m1 = message(await alice.sm.decrypt(bob.publicKey, replies[0]!.protocolMessage))
    expect([read(m1.payload), m1.via, m1.installationId]).toEqual(['one', 'ratchet', 'bob-1'])
    await alice.store.batch(m1.writes)
    m1.confirm()
    expect(await alice.receive(bob, replies[1]!.protocolMessage)).toBe('two')

    // Alice answers in Bob's session (no X3DH header of her own); after that Bob stops sending his.
    const answer = decode(await alice.send(bob, 'three'))
    expect(answer.directMessage['bob-1']!.X3DHHeader).toBeUndefined()
    expect(answer.directMessage['bob-1']!.DRHeader?.id).toEqual(aliceSpk)
    expect(await bob.receive(alice, toBinary(ProtocolMessageSchema, answer))).toBe('three')
    expect(decode(await bob.send(alice, 'four')).directMessage['alice-1']!.X3DHHeader).toBeUndefined()
  })

  it('learns bundles from contact-code adverts and bare bundles, and refuses someone else’s', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    const carol = await Party.start('carol', 'carol-1')
    const installations: string[][] = []
    alice.sm.on('installations', (e) => installations.push([e.peer, ...e.installations.map((i) => i.id)]))

    const advert = await alice.sm.decrypt(bob.publicKey, bob.sm.contactCodeMessage())
    expect(advert.kind).toBe('bundle-only')
    expect(installations).toEqual([[`0x${bytesToHex(bob.publicKey)}`, 'bob-1']])

    const bundleBytes = toBinary(BundleSchema, carol.sm.ownBundle())
    expect((await cryptoError(alice.sm.handleBundle(bob.publicKey, bundleBytes))).code).toBe('BUNDLE_IDENTITY_MISMATCH')
    expect((await alice.sm.handleBundle(carol.publicKey, bundleBytes)).length).toBeGreaterThan(0)
    expect((await alice.sm.encrypt(carol.publicKey, text('x'))).installationIds).toEqual(['carol-1'])

    // An empty DH message (status-go's answer to "device not found") only carries the bundle.
    const nudge = await carol.sm.decrypt(alice.publicKey, alice.sm.buildDhMessage(carol.publicKey, new Uint8Array(0)))
    expect(nudge.kind).toBe('bundle-only')
  })

  it('rejects a tampered bundle, garbage and an empty message with typed errors', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    const wire = decode(bob.sm.contactCodeMessage())
    wire.bundles[0]!.signedPreKeys['bob-1']!.version += 1
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, toBinary(ProtocolMessageSchema, wire)))).code).toBe('BUNDLE_IDENTITY_MISMATCH')
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, new Uint8Array([0xff, 0xff, 0xff])))).code).toBe('CIPHERTEXT_MALFORMED')
    const empty = toBinary(ProtocolMessageSchema, create(ProtocolMessageSchema, { installationId: 'bob-1' }))
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, empty))).code).toBe('CIPHERTEXT_MALFORMED')
    expect((await cryptoError(alice.sm.handleBundle(bob.publicKey, new Uint8Array([1, 2, 3])))).code).toBe('BUNDLE_MALFORMED')
    expect((await cryptoError(alice.sm.encrypt(new Uint8Array(65), text('x')))).code).toBe('INVALID_KEY')
  })
})
