import { bytesToHex } from '@noble/hashes/utils.js'
import { ClassicLevel } from 'classic-level'
import { afterEach, describe, expect, it } from 'vitest'
import { EncryptedStore, StoreError, deriveStoreKey } from '../storage/encrypted-store'
import { closeParties, track, untrack, cryptoError, decode, handshake, message, Party, read, text } from './session-manager.harness'

afterEach(closeParties)

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

  it('commits a batch of decrypts as one write that leaves no message key or tombstone behind (group commit)', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const wires = [] as Uint8Array[]
    for (let i = 0; i < 5; i++) wires.push(await bob.send(alice, `m${i}`))
    const batch = alice.sm.batch()
    const outcomes = [] as Array<ReturnType<typeof message>>
    for (const wire of wires) outcomes.push(message(await alice.sm.decrypt(bob.publicKey, wire, batch)))
    await alice.store.batch(outcomes.flatMap((o) => o.writes))
    for (const outcome of outcomes) outcome.confirm()
    expect(outcomes.map((o) => read(o.payload))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    await alice.send(bob, 'flush')
    const kinds: string[] = []
    for await (const [key] of alice.store.iterate('session/')) kinds.push(key.split('/').slice(0, 2).join('/'))
    expect(kinds.filter((k) => k === 'session/key' || k === 'session/consumed')).toEqual([])
    await alice.restart()
    for (const wire of wires) expect((await cryptoError(alice.sm.decrypt(bob.publicKey, wire))).code).toBe('MESSAGE_KEY_DELETED')
    expect(await alice.receive(bob, await bob.send(alice, 'next'))).toBe('next')
  })

  it('keeps the messages of a lost batch decryptable, in memory and after the next batch and a restart', async () => {
    const alice = await Party.start('alice', 'alice-1')
    const bob = await Party.start('bob', 'bob-1')
    await handshake(alice, bob)
    const lost = [await bob.send(alice, 'lost 1'), await bob.send(alice, 'lost 2')]
    const failed = alice.sm.batch()
    for (const wire of lost) message(await alice.sm.decrypt(bob.publicKey, wire, failed))
    // The batch never lands: the same messages, redelivered, decrypt again from memory.
    const again = alice.sm.batch()
    const redelivered = [] as Array<ReturnType<typeof message>>
    for (const wire of lost) redelivered.push(message(await alice.sm.decrypt(bob.publicKey, wire, again)))
    expect(redelivered.map((o) => read(o.payload))).toEqual(['lost 1', 'lost 2'])
    // That retry is lost as well; a later batch with another message commits, and the process dies.
    const later = alice.sm.batch()
    const kept = message(await alice.sm.decrypt(bob.publicKey, await bob.send(alice, 'kept'), later))
    await alice.store.batch(kept.writes)
    kept.confirm()
    await alice.restart()
    for (const [i, wire] of lost.entries()) expect(await alice.receive(bob, wire)).toBe(`lost ${i + 1}`)
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
    untrack(alice.store)
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
    track(store)
    alice.store = store
    const error = await alice.manager().init().then(
      () => new Error('expected a rejection'),
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({ code: 'VALUE_CORRUPT', recordKey: tampered })
  })
})
