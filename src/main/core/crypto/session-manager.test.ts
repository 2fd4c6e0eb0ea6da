import { create, toBinary } from '@bufbuild/protobuf'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import { BundleSchema, ProtocolMessageSchema } from './gen/encryption/protocol_message_pb'
import { MAX_BUNDLES_PER_MESSAGE, SessionManager, type EncryptOutcome } from './session-manager'
import { seededRandom, clock, closeParties, cryptoError, decode, handshake, message, Party, read, text } from './session-manager.harness'

afterEach(closeParties)

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

  it('refuses a message stuffed with bundles before checking any of their signatures', async () => {
    // Found while writing the decrypt properties: 4,000 copies of a genuine bundle (660 kB, under the 1 MiB limit) kept
    // decrypt verifying signatures for over a minute. status-go sends one bundle per message.
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    const [bundle] = decode(bob.sm.contactCodeMessage()).bundles
    const stuffed = (count: number) =>
      toBinary(ProtocolMessageSchema, create(ProtocolMessageSchema, { installationId: 'bob-1', bundles: Array.from({ length: count }, () => bundle!) }))
    expect((await alice.sm.decrypt(bob.publicKey, stuffed(MAX_BUNDLES_PER_MESSAGE))).kind).toBe('bundle-only')
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, stuffed(MAX_BUNDLES_PER_MESSAGE + 1)))).code).toBe('CIPHERTEXT_MALFORMED')
    expect((await cryptoError(alice.sm.decrypt(bob.publicKey, stuffed(4000)))).code).toBe('CIPHERTEXT_MALFORMED')
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
