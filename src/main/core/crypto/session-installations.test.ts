import { create, toBinary } from '@bufbuild/protobuf'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { afterEach, describe, expect, it } from 'vitest'
import { BundleSchema, ProtocolMessageSchema } from './gen/encryption/protocol_message_pb'
import { negotiatedSecret } from './shared-secret'
import { publicKeyOf } from '../primitives/secp256k1'
import { clock, closeParties, decode, HOUR, Party, text } from './session-manager.harness'

afterEach(closeParties)

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
