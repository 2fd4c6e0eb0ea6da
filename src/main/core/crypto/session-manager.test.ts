import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create, fromBinary, toBinary } from '@bufbuild/protobuf'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { ClassicLevel } from 'classic-level'
import { afterEach, describe, expect, it } from 'vitest'
import { BundleSchema, ProtocolMessageSchema, type ProtocolMessage } from './gen/encryption/protocol_message_pb'
import { EncryptedStore, StoreError, deriveStoreKey } from '../storage/encrypted-store'
import { CryptoError } from '../primitives/crypto-error'
import { negotiatedSecret } from './shared-secret'
import { publicKeyOf, type RandomBytes } from '../primitives/secp256k1'
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
let partyCount = 0
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
  private readonly seed = `party-${partyCount++}`

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
      random: seededRandom(`${this.seed}/${this.restarts}`)
    })
  }

  /** Process exit: whatever was not committed is gone. */
  async restart(): Promise<void> {
    stores.splice(stores.indexOf(this.store), 1)
    await this.store.close()
    this.restarts++
    await this.open()
  }

  async send(to: Party, body: string): Promise<Uint8Array> {
    const out = await this.sm.encrypt(to.publicKey, text(body))
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

describe('SessionManager: conversation', () => {
  it('steps the ratchet on every change of turn', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const ratchetKeys = new Set<string>()
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3; i++) {
        const wire = await alice.send(bob, `a${round}.${i}`)
        ratchetKeys.add(bytesToHex(decode(wire).directMessage['bob-1']!.DRHeader!.key))
        expect(await bob.receive(alice, wire)).toBe(`a${round}.${i}`)
      }
      const wire = await bob.send(alice, `b${round}`)
      expect(await alice.receive(bob, wire)).toBe(`b${round}`)
    }
    // One sending ratchet key per turn of Alice's.
    expect(ratchetKeys.size).toBe(4)
  })

  it('decrypts out of order, and refuses a replay once the message is committed and confirmed', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const wires: Uint8Array[] = []
    for (let i = 0; i < 5; i++) wires.push(await bob.send(alice, `m${i}`))
    for (const i of [3, 0, 4, 1, 2]) expect(await alice.receive(bob, wires[i]!)).toBe(`m${i}`)
    for (const i of [3, 4]) expect((await cryptoError(alice.sm.decrypt(bob.publicKey, wires[i]!))).code).toBe('MESSAGE_KEY_DELETED')
  })

  it('decrypts a redelivery again while its first delivery is not confirmed', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const wire = await bob.send(alice, 'twice?')
    const first = message(await alice.sm.decrypt(bob.publicKey, wire))
    const again = message(await alice.sm.decrypt(bob.publicKey, wire))
    expect(read(again.payload)).toBe('twice?')
    await alice.store.batch([...first.writes, ...again.writes])
    first.confirm()
    again.confirm()
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, wire))).code).toBe('MESSAGE_KEY_DELETED')
  })

  it('serialises concurrent operations on one peer', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const outs = await Promise.all([0, 1, 2, 3, 4].map((i) => alice.sm.encrypt(bob.publicKey, text(`c${i}`))))
    await alice.store.batch(outs.flatMap((o) => o.writes))
    expect(outs.map((o) => decode(o.protocolMessage).directMessage['bob-1']!.DRHeader!.n)).toEqual([1, 2, 3, 4, 5])
    const received = await Promise.all([4, 2, 0, 3, 1].map((i) => bob.sm.decrypt(alice.publicKey, outs[i]!.protocolMessage)))
    expect(received.map((o) => read(message(o).payload))).toEqual(['c4', 'c2', 'c0', 'c3', 'c1'])
  })

  it('refuses to skip more than MaxSkip messages', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    alice.sm = new SessionManager({
      identity: { privateKey: alice.privateKey, publicKey: alice.publicKey },
      installationId: alice.installationId,
      store: alice.store,
      now: () => clock.now,
      random: seededRandom('alice-limits'),
      limits: { maxSkip: 2, maxKeep: 3000, maxMessageKeysPerSession: 2000 }
    })
    await alice.sm.init()
    const wires: Uint8Array[] = []
    for (let i = 0; i < 4; i++) wires.push(await bob.send(alice, `m${i}`))
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, wires[3]!))).code).toBe('TOO_MANY_SKIPPED')
    expect(await alice.receive(bob, wires[2]!)).toBe('m2')
  })
})

describe('SessionManager: installations and negotiation', () => {
  it('addresses every installation of the receiver and switches to the negotiated topic once all have replied', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob1 = await Party.start('bob', 'bob-1')
    const bob2 = await Party.start('bob', 'bob-2')
    await alice.sm.handleBundle(bob1.publicKey, toBinary(BundleSchema, bob1.sm.ownBundle()))

    // Alice knows only bob-1: bob-2 is not addressed.
    const onlyFirst = await alice.send(bob1, 'first device only')
    expect((await bob2.sm.decrypt(alice.publicKey, onlyFirst)).kind).toBe('not-for-us')
    expect(await bob1.receive(alice, onlyFirst)).toBe('first device only')

    clock.now += 1000
    await alice.sm.handleBundle(bob2.publicKey, toBinary(BundleSchema, bob2.sm.ownBundle()))
    const both = await alice.sm.encrypt(bob1.publicKey, text('both devices'))
    await alice.store.batch(both.writes)
    expect(both.installationIds.sort()).toEqual(['bob-1', 'bob-2'])
    expect(both.sharedSecret.agreed).toBe(false)
    expect(await bob1.receive(alice, both.protocolMessage)).toBe('both devices')
    expect(await bob2.receive(alice, both.protocolMessage)).toBe('both devices')

    const expected = bytesToHex(negotiatedSecret(alice.privateKey, bob1.publicKey))
    expect(await alice.receive(bob1, await bob1.send(alice, 'from bob-1'))).toBe('from bob-1')
    expect(alice.secrets.map((e) => [bytesToHex(e.secret), e.negotiatedReady])).toEqual([[expected, false]])
    expect((await alice.sm.encrypt(bob1.publicKey, text('x'))).sharedSecret.agreed).toBe(false)

    expect(await alice.receive(bob2, await bob2.send(alice, 'from bob-2'))).toBe('from bob-2')
    expect(alice.secrets.at(-1)).toMatchObject({ peer: `0x${bytesToHex(bob1.publicKey)}`, negotiatedReady: true })
    const negotiated = await alice.sm.encrypt(bob1.publicKey, text('y'))
    expect(negotiated.sharedSecret).toMatchObject({ agreed: true })
    expect(bytesToHex(negotiated.sharedSecret.secret)).toBe(expected)
    // Bob's side derives the same secret from Alice's replies.
    expect(bytesToHex(bob1.secrets.at(-1)!.secret)).toBe(expected)

    // Restart: saved secrets are announced again so the negotiated filter can be reinstalled.
    await alice.restart()
    expect(alice.secrets.at(-1)).toMatchObject({ negotiatedReady: true })
    expect(alice.sm.negotiatedSecrets()).toHaveLength(1)

    // A new device of Bob's that has not replied yet takes the peer off the negotiated topic.
    const bob3 = await Party.start('bob', 'bob-3')
    clock.now += 1000
    await alice.sm.handleBundle(bob3.publicKey, toBinary(BundleSchema, bob3.sm.ownBundle()))
    expect(alice.secrets.at(-1)).toMatchObject({ negotiatedReady: false })
  })

  it('uses at most the three most recently seen installations of a peer', async () => {
    const alice = await Party.start('alice', 'alice-1')
    for (const id of ['bob-1', 'bob-2', 'bob-3', 'bob-4']) {
      const device = await Party.start('bob', id)
      clock.now += 1000
      await alice.sm.handleBundle(device.publicKey, toBinary(BundleSchema, device.sm.ownBundle()))
    }
    const out = await alice.sm.encrypt(publicKeyOf(sha256(utf8ToBytes('identity bob')), false), text('x'))
    expect(out.installationIds.sort()).toEqual(['bob-2', 'bob-3', 'bob-4'])
  })

  it('refreshes its signed prekey after 24 h, keeps the old one for late X3DH messages, and peers re-key', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await alice.sm.handleBundle(bob.publicKey, toBinary(BundleSchema, bob.sm.ownBundle()))
    const oldSpk = bob.sm.ownBundle().signedPreKeys['bob-1']!
    const late = await alice.send(bob, 'built on the old prekey')

    clock.now += 25 * HOUR
    bob.sm.ownBundle()
    await bob.sm.rotatePreKeyIfDue()
    const fresh = bob.sm.ownBundle().signedPreKeys['bob-1']!
    expect(fresh.version).toBe(oldSpk.version + 1)
    expect(fresh.signedPreKey).not.toEqual(oldSpk.signedPreKey)

    // The new prekey was written before use: it survives a restart.
    await bob.restart()
    expect(bob.sm.ownBundle().signedPreKeys['bob-1']!.signedPreKey).toEqual(fresh.signedPreKey)
    expect(await bob.receive(alice, late)).toBe('built on the old prekey')

    // Alice sees the newer prekey version and opens a new session on it.
    await alice.sm.handleBundle(bob.publicKey, toBinary(BundleSchema, bob.sm.ownBundle()))
    const rekeyed = decode(await alice.send(bob, 'new session')).directMessage['bob-1']!
    expect(rekeyed.X3DHHeader?.id).toEqual(fresh.signedPreKey)
    expect(rekeyed.DRHeader?.n).toBe(0)
    expect(await bob.receive(alice, toBinary(ProtocolMessageSchema, create(ProtocolMessageSchema, { installationId: 'alice-1', directMessage: { 'bob-1': rekeyed } })))).toBe('new session')
  })
})

describe('SessionManager: persistence', () => {
  it('continues a conversation after both sides restart, skipped keys included', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const skipped = await bob.send(alice, 'skipped')
    expect(await alice.receive(bob, await bob.send(alice, 'after skip'))).toBe('after skip')

    await alice.restart()
    await bob.restart()
    expect(await alice.receive(bob, skipped)).toBe('skipped')
    expect(await bob.receive(alice, await alice.send(bob, 'still here'))).toBe('still here')
    expect(await alice.receive(bob, await bob.send(alice, 'me too'))).toBe('me too')
  })

  it('decrypts a message again after a crash before its batch was committed', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const wire = await bob.send(alice, 'not committed')
    expect(read(message(await alice.sm.decrypt(bob.publicKey, wire)).payload)).toBe('not committed')
    await alice.restart()
    expect(await alice.receive(bob, wire)).toBe('not committed')
  })

  it('never decrypts a committed message twice, even when the crash came before confirm()', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const skippedWire = await bob.send(alice, 'stored key')
    const headWire = await bob.send(alice, 'chain head')
    for (const wire of [headWire, skippedWire]) {
      const outcome = message(await alice.sm.decrypt(bob.publicKey, wire))
      await alice.store.batch(outcome.writes)
    }
    await alice.restart()
    for (const wire of [headWire, skippedWire]) {
      expect((await cryptoError(alice.sm.decrypt(bob.publicKey, wire))).code).toBe('MESSAGE_KEY_DELETED')
    }
  })

  it('keeps an uncommitted message decryptable when a later one is committed, and drops it once both are', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const lost = await bob.send(alice, 'batch lost')
    const kept = await bob.send(alice, 'batch kept')
    expect(read(message(await alice.sm.decrypt(bob.publicKey, lost)).payload)).toBe('batch lost')
    expect(await alice.receive(bob, kept)).toBe('batch kept')
    await alice.restart()
    expect(await alice.receive(bob, lost)).toBe('batch lost')

    // Both committed in one combined batch, the earlier one's key re-put by the later one: no repeat.
    const a = await bob.send(alice, 'a')
    const b = await bob.send(alice, 'b')
    const outcomes = [message(await alice.sm.decrypt(bob.publicKey, a)), message(await alice.sm.decrypt(bob.publicKey, b))]
    await alice.store.batch(outcomes.flatMap((o) => o.writes))
    await alice.restart()
    for (const wire of [a, b]) expect((await cryptoError(alice.sm.decrypt(bob.publicKey, wire))).code).toBe('MESSAGE_KEY_DELETED')
  })

  it('never reuses a sending chain position when batches are committed out of order', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const e1 = await alice.sm.encrypt(bob.publicKey, text('e1'))
    const e2 = await alice.sm.encrypt(bob.publicKey, text('e2'))
    await alice.store.batch(e2.writes)
    await alice.store.batch(e1.writes)
    await alice.restart()
    const e3 = decode(await alice.send(bob, 'e3')).directMessage['bob-1']!
    expect(e3.DRHeader?.n).toBe(decode(e2.protocolMessage).directMessage['bob-1']!.DRHeader!.n + 1)
  })

  it('deletes tombstones and old versions with the next write once messages are confirmed', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    for (let i = 0; i < 3; i++) expect(await alice.receive(bob, await bob.send(alice, `m${i}`))).toBe(`m${i}`)
    await alice.send(bob, 'flush')
    const keys: string[] = []
    for await (const [key] of alice.store.iterate('session/')) keys.push(key.split('/').slice(0, 2).join('/'))
    expect(keys.filter((k) => k === 'session/consumed')).toEqual([])
    expect(keys.filter((k) => k === 'session/state')).toHaveLength(1)
    expect(keys.filter((k) => k === 'session/key')).toEqual([])
  })

  it('keeps peers, prekeys and installation ids out of the clear-text record keys', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const skipped = await bob.send(alice, 'kept key')
    expect(await alice.receive(bob, await bob.send(alice, 'later'))).toBe('later')
    const keys: string[] = []
    for await (const [key] of alice.store.iterate('')) keys.push(key)
    expect(keys.some((k) => k.startsWith('session/key/'))).toBe(true)
    const bobSpk = bytesToHex(bob.sm.ownBundle().signedPreKeys['bob-1']!.signedPreKey)
    for (const secret of [bytesToHex(bob.publicKey).slice(2, 42), bobSpk.slice(2, 42), 'bob-1']) {
      expect(keys.filter((k) => k.includes(secret))).toEqual([])
    }
    expect(await alice.receive(bob, skipped)).toBe('kept key')
  })

  it('reports a tampered stored session as a typed error naming the record', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    await alice.store.close()
    stores.splice(stores.indexOf(alice.store), 1)
    const raw = new ClassicLevel<string, Uint8Array>(alice.dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
    await raw.open()
    let tampered = ''
    for await (const [key, value] of raw.iterator({ gte: 'session/state/', lt: 'session/state/\xff' })) {
      const copy = Uint8Array.from(value)
      copy.set([(copy.at(-1) ?? 0) ^ 1], copy.length - 1)
      await raw.put(key, copy)
      tampered = key
    }
    await raw.close()
    const store = await EncryptedStore.open(alice.dir, deriveStoreKey(alice.privateKey))
    stores.push(store)
    alice.store = store
    const error = await alice.manager().init().then(
      () => new Error('expected a rejection'),
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({ code: 'VALUE_CORRUPT', recordKey: tampered })
  })
})

describe('SessionManager: lost state', () => {
  it('accepts a session the peer opens again on the same prekey after losing its state', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await alice.sm.handleBundle(bob.publicKey, toBinary(BundleSchema, bob.sm.ownBundle()))
    await handshake(alice, bob)
    const reborn = await Party.start('alice', 'alice-1')
    await reborn.sm.handleBundle(bob.publicKey, toBinary(BundleSchema, bob.sm.ownBundle()))
    const wire = await reborn.send(bob, 'starting over')
    expect(decode(wire).directMessage['bob-1']!.X3DHHeader).toBeDefined()
    expect(await bob.receive(reborn, wire)).toBe('starting over')
    expect(await reborn.receive(bob, await bob.send(reborn, 'welcome back'))).toBe('welcome back')
    // Bob now answers in the new session only: the old state no longer reads him.
    await cryptoError(alice.sm.decrypt(bob.publicKey, await bob.send(alice, 'x')))
  })
})
