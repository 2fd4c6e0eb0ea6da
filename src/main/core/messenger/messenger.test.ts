import { describe, expect, it } from 'vitest'
import { cleanup, Person, startRelay, tap, until, value } from '../../../../test/support/core-people'
import { ecdh } from '../primitives/secp256k1'
import { negotiatedTopic, partitionedTopic } from '../protocol/topics'
import { WhisperNode } from '../whisper/node'
import { topicToHex } from '../whisper/topic'

/* The messenger through the API, between real cores on one relay (test/support/core-people.ts). */

describe('messenger through the API', () => {
  it('answers LOCKED without an unlocked account, and previews chat keys', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay)
    const bob = await Person.join(relay)
    await value(alice.client.call('accounts.lock', {}))
    const locked = await alice.client.call('chats.list', {})
    expect(locked).toMatchObject({ ok: false, error: { code: 'LOCKED' } })

    const preview = await value(alice.client.call('contacts.preview', { publicKey: ` ${bob.publicKey.toUpperCase().replace('0X', '0x')} ` }))
    expect(preview.publicKey).toBe(bob.publicKey)
    expect(preview.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const offCurve = '0x04' + 'ff'.repeat(64)
    expect(await alice.client.call('contacts.preview', { publicKey: offCurve })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(await alice.client.call('contacts.preview', { publicKey: '0x1234' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
  })

  it('public chat between three accounts', async () => {
    const relay = await startRelay()
    const people = [await Person.join(relay), await Person.join(relay), await Person.join(relay)]
    for (const p of people) await value(p.client.call('chats.joinPublic', { name: 'hush-test' }))
    for (const [i, p] of people.entries()) {
      await value(p.client.call('messages.send', { chatId: 'hush-test', text: `hello from ${i}` }))
      for (const other of people) if (other !== p) await until(() => other.received(`hello from ${i}`).length === 1)
    }
    const [alice, bob] = people as [Person, Person, Person]
    const fromAlice = bob.received('hello from 0')[0]!
    expect(fromAlice.author.publicKey).toBe(alice.publicKey)
    expect(await value(bob.client.call('chats.list', {}))).toMatchObject([{ id: 'hush-test', kind: 'public' }])
  })

  it('1:1 both ways: X3DH on the partitioned topic first, then the negotiated topic, every message delivered', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay)
    const bob = await Person.join(relay)
    const bobKeys = bob.core.accounts.unlocked()!.keys
    const aliceKeys = alice.core.accounts.unlocked()!.keys
    const atBobPartition = tap(bob, partitionedTopic(bobKeys.chatPublicKey), { privateKey: bobKeys.chatPrivateKey })
    const negotiated = negotiatedTopic(ecdh(aliceKeys.chatPrivateKey, bobKeys.chatPublicKey))
    const negotiatedEnvelopes: string[] = []
    bob.node.on('envelope', (e) => {
      if (topicToHex(e.envelope.topic) === topicToHex(negotiated)) negotiatedEnvelopes.push(e.hashHex)
    })

    // Starting the chat fetches Bob's bundle advertisement from the mailserver: the first message can use X3DH.
    const seenHistory = alice.history.length
    const chat = await value(alice.client.call('chats.startOneToOne', { publicKey: bob.publicKey }))
    expect(chat).toMatchObject({ id: bob.publicKey, kind: 'one-to-one', contact: { publicKey: bob.publicKey } })
    await alice.historyDone(seenHistory)

    const first = await value(alice.client.call('messages.send', { chatId: bob.publicKey, text: 'hi bob' }))
    await until(() => bob.received('hi bob').length === 1)
    const x3dh = atBobPartition.find((m) => Object.values(m.directMessage).some((d) => d.X3DHHeader))
    expect(x3dh).toBeDefined()
    expect(bob.received('hi bob')[0]).toMatchObject({ id: first.id, chatId: alice.publicKey, author: { publicKey: alice.publicKey } })
    expect(await value(bob.client.call('chats.list', {}))).toMatchObject([{ id: alice.publicKey, kind: 'one-to-one' }])

    const reply = await value(bob.client.call('messages.send', { chatId: alice.publicKey, text: 'hi alice' }))
    await until(() => alice.received('hi alice').length === 1)
    const second = await value(alice.client.call('messages.send', { chatId: bob.publicKey, text: 'on the negotiated topic' }))
    await until(() => bob.received('on the negotiated topic').length === 1)

    for (const [sender, id] of [[alice, first.id], [bob, reply.id], [alice, second.id]] as const) {
      await until(() => sender.statusOf(id) === 'delivered')
    }
    // Bob's reply and everything after went over the negotiated topic (messages and MVDS acks).
    expect(negotiatedEnvelopes.length).toBeGreaterThanOrEqual(2)
    const viaPartition = atBobPartition.length
    await value(alice.client.call('messages.send', { chatId: bob.publicKey, text: 'still negotiated' }))
    await until(() => bob.received('still negotiated').length === 1)
    expect(atBobPartition.length).toBe(viaPartition)

    // The mailserver hands Bob the whole conversation again: nothing is shown twice, and the replays are
    // recognised by the session layer (their message keys are gone) and counted.
    const seenBefore = bob.history.length
    expect(await value(bob.client.call('history.request', { sinceSeconds: 3600 }))).toEqual({ requested: true })
    await bob.historyDone(seenBefore)
    for (const text of ['hi bob', 'on the negotiated topic', 'still negotiated']) expect(bob.received(text)).toHaveLength(1)
    const drops = await value(bob.client.call('debug.drops', {}))
    expect(Object.keys(drops).some((reason) => reason.startsWith('DECRYPT_'))).toBe(true)
  })

  it('keeps each account’s network settings, starting from the host’s defaults', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay)
    const defaults = await value(alice.client.call('settings.network.get', {}))
    expect(defaults).toEqual({ staticPeers: [], bootnodes: [], mailservers: [relay.enode] })
    const other = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 } })
    await other.start()
    cleanup.push(() => other.stop())
    const connected = new Promise((resolve) => other.once('peer:added', resolve))
    const settings = { staticPeers: [other.enode], bootnodes: [], mailservers: [relay.enode] }
    expect(await value(alice.client.call('settings.network.set', settings))).toEqual(settings)
    await connected

    const { id } = (await value(alice.client.call('accounts.current', {})))!
    await value(alice.client.call('accounts.lock', {}))
    await value(alice.client.call('accounts.unlock', { id, password: 'pw' }))
    expect(await value(alice.client.call('settings.network.get', {}))).toEqual(settings)
    const bad = await alice.client.call('settings.network.set', { staticPeers: ['enode://nope'], bootnodes: [], mailservers: [] })
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
  })

  it('contacts: chosen names travel in ContactUpdate, both see one safety number, verification persists, a copied name is flagged', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay, 'Alice')
    const bob = await Person.join(relay, 'Bob')
    const named = (person: Person, key: string, name: string) => person.contacts.some((c) => c.publicKey === key && c.displayName === name)

    await value(alice.client.call('chats.startOneToOne', { publicKey: bob.publicKey }))
    await value(alice.client.call('messages.send', { chatId: bob.publicKey, text: 'hi bob' }))
    // Alice's name came with her chat; Bob's goes back when the chat appears on his side.
    await until(() => named(bob, alice.publicKey, 'Alice'))
    await until(() => named(alice, bob.publicKey, 'Bob'))
    await value(bob.client.call('messages.send', { chatId: alice.publicKey, text: 'hi alice' }))
    await until(() => alice.received('hi alice').length === 1)
    expect(alice.received('hi alice')[0]?.author.displayName).toBe('Bob')
    expect(alice.upserts.find((m) => m.text === 'hi bob')?.author.displayName).toBe('Alice')

    const ours = await value(alice.client.call('contacts.safetyNumber', { publicKey: bob.publicKey }))
    const theirs = await value(bob.client.call('contacts.safetyNumber', { publicKey: alice.publicKey }))
    expect(ours.digits).toBe(theirs.digits)
    expect(ours.groups.join('')).toBe(ours.digits)
    expect(await alice.client.call('contacts.safetyNumber', { publicKey: alice.publicKey })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })

    // Alice scans Bob's screen: a match verifies. Her own code (a reflection) and junk do not.
    const scan = (text: string) => value(alice.client.call('contacts.verifyScan', { publicKey: bob.publicKey, text }))
    expect(await scan(ours.qrPayload)).toMatchObject({ outcome: 'mismatch', contact: { verified: false } })
    expect(await scan('hello')).toMatchObject({ outcome: 'invalid', contact: { verified: false } })
    expect(await scan(theirs.qrPayload)).toMatchObject({ outcome: 'match', contact: { verified: true, displayName: 'Bob' } })
    expect(await value(alice.client.call('contacts.setVerified', { publicKey: bob.publicKey, verified: false }))).toMatchObject({ verified: false })
    await value(alice.client.call('contacts.setVerified', { publicKey: bob.publicKey, verified: true }))

    const { id } = (await value(alice.client.call('accounts.current', {})))!
    await value(alice.client.call('accounts.lock', {}))
    await value(alice.client.call('accounts.unlock', { id, password: 'pw' }))
    expect(await value(alice.client.call('contacts.get', { publicKey: bob.publicKey }))).toMatchObject({ verified: true, displayName: 'Bob', known: true })

    // Mallory takes Bob's name: flagged as resembling Bob, in the list and in a preview; Bob himself is not.
    const mallory = await Person.join(relay, 'bob ')
    await value(mallory.client.call('chats.startOneToOne', { publicKey: alice.publicKey }))
    await value(mallory.client.call('messages.send', { chatId: alice.publicKey, text: 'it is me, Bob' }))
    await until(() => named(alice, mallory.publicKey, 'bob'))
    const listed = await value(alice.client.call('contacts.list', {}))
    expect(listed.find((c) => c.publicKey === mallory.publicKey)?.resembles).toEqual([
      expect.objectContaining({ publicKey: bob.publicKey, displayName: 'Bob' })
    ])
    expect(listed.find((c) => c.publicKey === bob.publicKey)).toMatchObject({ verified: true, resembles: [] })
    // Bob's bundle listed his one installation; it came before the verification, so it is no news.
    expect(listed.find((c) => c.publicKey === bob.publicKey)).toMatchObject({ devices: [expect.objectContaining({ firstSeen: expect.any(Number) })], newDevices: [] })
    const preview = await value(alice.client.call('contacts.preview', { publicKey: mallory.publicKey }))
    expect(preview).toMatchObject({ verified: false, resembles: [{ publicKey: bob.publicKey }] })
    const malloryNumber = await value(alice.client.call('contacts.safetyNumber', { publicKey: mallory.publicKey }))
    expect(malloryNumber.digits).not.toBe(ours.digits)
  })
})
