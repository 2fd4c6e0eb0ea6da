import { describe, expect, it } from 'vitest'
import { cleanup, coreCast, Person, startRelay, tap, until, value } from '../../../../test/support/core-people'
import { twoOnARelay } from '../../../../test/support/two-on-a-relay'
import { ecdh } from '../primitives/secp256k1'
import { negotiatedTopic, partitionedTopic } from '../protocol/topics'
import { WhisperNode } from '../whisper/node'
import { topicToHex } from '../whisper/topic'

/* The messenger through the API, between real cores on one relay (test/support/core-people.ts). */

describe('messenger through the API', () => {
  it('answers LOCKED without an unlocked account, and previews chat keys', async () => {
    const { alice, bob } = await twoOnARelay(coreCast, { chats: false })
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
    // Bob has a chat with Alice, so her messages are no request (requests are tested below). Opening hers
    // fetched Bob's bundle advertisement from the mailserver: the first message can use X3DH.
    const { alice, bob } = await twoOnARelay(coreCast)
    const bobKeys = bob.core.accounts.unlocked()!.keys
    const aliceKeys = alice.core.accounts.unlocked()!.keys
    const atBobPartition = tap(bob, partitionedTopic(bobKeys.chatPublicKey), { privateKey: bobKeys.chatPrivateKey })
    const negotiated = negotiatedTopic(ecdh(aliceKeys.chatPrivateKey, bobKeys.chatPublicKey))
    const negotiatedEnvelopes: string[] = []
    bob.node.on('envelope', (e) => {
      if (topicToHex(e.envelope.topic) === topicToHex(negotiated)) negotiatedEnvelopes.push(e.hashHex)
    })

    expect(await value(alice.client.call('chats.list', {}))).toMatchObject([{ id: bob.publicKey, kind: 'one-to-one', contact: { publicKey: bob.publicKey } }])

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
    // known envelopes, skipped before decryption: not failures of the session layer, not drops.
    const seenBefore = bob.history.length
    expect(await value(bob.client.call('history.request', { sinceSeconds: 3600 }))).toEqual({ requested: true })
    await bob.historyDone(seenBefore)
    for (const text of ['hi bob', 'on the negotiated topic', 'still negotiated']) expect(bob.received(text)).toHaveLength(1)
    const drops = await value(bob.client.call('debug.drops', {}))
    expect(drops).toEqual({})
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
    const { relay, alice, bob } = await twoOnARelay(coreCast, { chats: false })
    const named = (person: Person, key: string, name: string) => person.contacts.some((c) => c.publicKey === key && c.displayName === name)

    // Starting a chat sends no name; adding the contact does (a ContactUpdate, "added you" in status-go).
    await value(alice.client.call('chats.startOneToOne', { publicKey: bob.publicKey }))
    await value(alice.client.call('messages.send', { chatId: bob.publicKey, text: 'hi bob' }))
    await until(() => bob.requests.some((r) => r.preview === 'hi bob'))
    expect(bob.contacts.some((c) => c.publicKey === alice.publicKey && c.displayName)).toBe(false)
    expect(await value(alice.client.call('contacts.add', { publicKey: bob.publicKey }))).toMatchObject({ added: true })
    await until(() => named(bob, alice.publicKey, 'Alice'))
    expect(await value(bob.client.call('requests.accept', { publicKey: alice.publicKey }))).toEqual({ chatId: alice.publicKey })
    await value(bob.client.call('contacts.add', { publicKey: alice.publicKey }))
    await until(() => named(alice, bob.publicKey, 'Bob'))
    await value(bob.client.call('messages.send', { chatId: alice.publicKey, text: 'hi alice' }))
    await until(() => alice.received('hi alice').length === 1)
    expect(alice.received('hi alice')[0]?.author.displayName).toBe('Bob')
    expect(alice.upserts.find((m) => m.text === 'hi bob')?.author.displayName).toBe('Alice')
    expect(await value(bob.client.call('contacts.get', { publicKey: alice.publicKey }))).toMatchObject({ added: true, displayName: 'Alice' })

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
    await value(mallory.client.call('contacts.add', { publicKey: alice.publicKey }))
    await value(mallory.client.call('messages.send', { chatId: alice.publicKey, text: 'it is me, Bob' }))
    // Mallory's message is a request, under the name he gave while still a stranger, flagged as looking like Bob.
    await until(async () =>
      (await value(alice.client.call('requests.list', {}))).some(
        (r) => r.contact.publicKey === mallory.publicKey && r.contact.displayName === 'bob' && r.contact.resembles.length === 1
      )
    )
    // Whether his bundle came before or after his request made him a record, his contact says the same.
    expect((await value(alice.client.call('contacts.get', { publicKey: mallory.publicKey }))).resembles).toEqual([
      expect.objectContaining({ publicKey: bob.publicKey, displayName: 'Bob' })
    ])
    const listed = await value(alice.client.call('contacts.list', {}))
    expect(listed.find((c) => c.publicKey === bob.publicKey)).toMatchObject({ verified: true, resembles: [] })
    // Bob's bundle listed his one installation; it came before the verification, so it is no news.
    expect(listed.find((c) => c.publicKey === bob.publicKey)).toMatchObject({ devices: [expect.objectContaining({ firstSeen: expect.any(Number) })], newDevices: [] })
    const preview = await value(alice.client.call('contacts.preview', { publicKey: mallory.publicKey }))
    expect(preview).toMatchObject({ verified: false, resembles: [{ publicKey: bob.publicKey }] })
    const malloryNumber = await value(alice.client.call('contacts.safetyNumber', { publicKey: mallory.publicKey }))
    expect(malloryNumber.digits).not.toBe(ours.digits)

    // A new chosen name goes to the contacts Alice added, not to someone she only has a chat with.
    await value(alice.client.call('chats.startOneToOne', { publicKey: mallory.publicKey }))
    await value(alice.client.call('accounts.rename', { name: 'Alicia' }))
    await until(() => named(bob, alice.publicKey, 'Alicia'))
    await value(alice.client.call('messages.send', { chatId: mallory.publicKey, text: 'who are you?' }))
    await until(() => mallory.received('who are you?').length === 1)
    expect(named(mallory, alice.publicKey, 'Alicia')).toBe(false)
  })

  it('message requests, blocking, muting and search', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay, 'Alice')
    const bob = await Person.join(relay, 'Bob')
    const carol = await Person.join(relay, 'Carol')
    const read = async (person: Person, chatId: string) =>
      (await value(person.client.call('history.read', { chatId, range: { lower: null, upper: null }, limit: 100 }))).messages.map((m) => m.text)
    const chatIds = async (person: Person) => (await value(person.client.call('chats.list', {}))).map((c) => c.id)

    // A stranger's 1:1 message is a request, not a chat; declining deletes it.
    await value(bob.client.call('chats.startOneToOne', { publicKey: alice.publicKey }))
    await value(bob.client.call('messages.send', { chatId: alice.publicKey, text: 'knock knock' }))
    await until(() => alice.requests.some((r) => r.preview === 'knock knock'))
    expect(await chatIds(alice)).toEqual([])
    expect(alice.upserts.filter((m) => m.text === 'knock knock')).toEqual([])
    await value(alice.client.call('requests.decline', { publicKey: bob.publicKey }))
    expect(await value(alice.client.call('requests.list', {}))).toEqual([])
    expect(await read(alice, bob.publicKey)).toEqual([])

    // Writing again is a new request; accepting makes it a chat with the message unread.
    await value(bob.client.call('messages.send', { chatId: alice.publicKey, text: 'second knock' }))
    await until(() => alice.requests.some((r) => r.preview === 'second knock'))
    expect(await value(alice.client.call('requests.accept', { publicKey: bob.publicKey }))).toEqual({ chatId: bob.publicKey })
    expect(await value(alice.client.call('chats.list', {}))).toMatchObject([{ id: bob.publicKey, unread: 1, lastMessage: { text: 'second knock' } }])
    expect(await read(alice, bob.publicKey)).toEqual(['second knock'])
    expect(alice.requests).toEqual([])
    await value(bob.client.call('messages.send', { chatId: alice.publicKey, text: 'in the chat now' }))
    await until(() => alice.received('in the chat now').length === 1)

    // Blocking Carol removes her request, hides what she wrote in a public chat, drops what she sends next.
    for (const p of [alice, bob, carol]) await value(p.client.call('chats.joinPublic', { name: 'hush-social' }))
    await value(carol.client.call('messages.send', { chatId: 'hush-social', text: 'carol before the block' }))
    await until(() => alice.received('carol before the block').length === 1)
    await value(carol.client.call('chats.startOneToOne', { publicKey: alice.publicKey }))
    await value(carol.client.call('messages.send', { chatId: alice.publicKey, text: 'buy my stuff' }))
    await until(() => alice.requests.some((r) => r.contact.publicKey === carol.publicKey))
    await value(alice.client.call('contacts.block', { publicKey: carol.publicKey }))
    expect(await value(alice.client.call('requests.list', {}))).toEqual([])
    expect(await value(alice.client.call('contacts.blocked', {}))).toMatchObject([{ publicKey: carol.publicKey }])
    expect(await read(alice, 'hush-social')).toEqual([])
    await value(carol.client.call('messages.send', { chatId: 'hush-social', text: 'carol after the block' }))
    await value(carol.client.call('messages.send', { chatId: alice.publicKey, text: 'buy it now' }))
    await value(bob.client.call('messages.send', { chatId: 'hush-social', text: 'read https://example.com/quarterly-report.pdf' }))
    await value(bob.client.call('messages.send', { chatId: 'hush-social', text: 'مرحبا بالعالم' }))
    await until(() => alice.received('مرحبا بالعالم').length === 1)
    await until(() => alice.received('carol after the block').length === 0 && alice.requests.length === 0)
    const drops = async () => value(alice.client.call('debug.drops', {}))
    while (!((await drops())['BLOCKED_SENDER']! >= 1 && (await drops())['BLOCKED_AUTHOR']! >= 1)) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await read(alice, 'hush-social')).toEqual(['read https://example.com/quarterly-report.pdf', 'مرحبا بالعالم'])

    // Search: a word inside a URL, an Arabic word; a blocked author's words are not found.
    const search = (query: string) => value(alice.client.call('search.messages', { query }))
    const quarterly = await search('Quarterly')
    expect(quarterly.groups).toMatchObject([{ chatId: 'hush-social', chatKind: 'public', hits: [{ message: { text: 'read https://example.com/quarterly-report.pdf' } }] }])
    expect(quarterly.complete).toBe(true)
    expect((await search('مرحبا')).groups[0]?.hits.map((h) => h.message.text)).toEqual(['مرحبا بالعالم'])
    expect((await search('knock')).groups).toMatchObject([{ chatId: bob.publicKey, hits: [{ message: { text: 'second knock' } }] }])
    expect((await search('carol')).groups).toEqual([])
    expect(await alice.client.call('search.messages', { query: 'x'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })

    // Mute; both mute and the block survive a restart, and unblocking shows what was stored before.
    await value(alice.client.call('chats.setMuted', { chatId: 'hush-social', muted: true }))
    expect(alice.chats.get('hush-social')?.muted).toBe(true)
    const { id } = (await value(alice.client.call('accounts.current', {})))!
    await value(alice.client.call('accounts.lock', {}))
    await value(alice.client.call('accounts.unlock', { id, password: 'pw' }))
    expect((await value(alice.client.call('chats.list', {}))).find((c) => c.id === 'hush-social')?.muted).toBe(true)
    expect(await value(alice.client.call('contacts.blocked', {}))).toMatchObject([{ publicKey: carol.publicKey }])
    await value(alice.client.call('contacts.unblock', { publicKey: carol.publicKey }))
    expect(await read(alice, 'hush-social')).toContain('carol before the block')
    await value(alice.client.call('chats.setMuted', { chatId: 'hush-social', muted: false }))
    expect((await value(alice.client.call('chats.list', {}))).find((c) => c.id === 'hush-social')?.muted).toBeUndefined()
  })
})
