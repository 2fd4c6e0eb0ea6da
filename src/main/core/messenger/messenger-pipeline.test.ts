import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '../../../shared/api'
import { SessionManager } from '../crypto/session-manager'
import { silentLogger } from '../log/logger'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from '../protocol/gen/protobuf/chat_message_pb'
import { contactCodeTopic, publicChatSymKey, publicChatTopic } from '../protocol/topics'
import { chatKeyId } from '../protocol/chat-matching'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import { systemTimers, type Timers } from '../runtime/timers'
import { deriveStoreKey, EncryptedStore } from '../storage/encrypted-store'
import { WhisperNode } from '../whisper/node'
import { BUNDLE_ADVERTISE_INTERVAL_MS, Messenger } from './messenger'
import { topicToHex } from '../whisper/topic'
import { pollUntil } from '../../../../test/support/poll'

/*
 * Public chats between real Whisper nodes on loopback, each with its own messenger, session manager and
 * encrypted store, driven directly (the API path is covered in messenger.test.ts). Nothing is timed: every wait is
 * for an event, and "not shown" is checked after a later message from the same sender has arrived (one
 * TCP link, one serial queue: the earlier envelope was processed first).
 */

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

interface Party {
  node: WhisperNode
  privateKey: Uint8Array
  publicKey: Uint8Array
  dir: string
  messenger: Messenger
  upserts: Message[]
  store: EncryptedStore
}

async function startNode(): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 } })
  await node.start()
  cleanup.push(() => node.stop())
  return node
}

async function connect(a: WhisperNode, b: WhisperNode): Promise<void> {
  const added = new Promise((resolve) => b.once('peer:added', resolve))
  a.addPeer(b.enode)
  await added
}

/** Two transmissions a few epochs apart, then not-sent: the give-up path in a second instead of half an hour. */
const SHORT_RESENDS = { backoff: () => 2, maxSendCount: 2 }

async function openMessenger(party: Omit<Party, 'messenger' | 'upserts' | 'store'>, timers?: Timers): Promise<Party> {
  const store = await EncryptedStore.open(party.dir, deriveStoreKey(party.privateKey))
  const upserts: Message[] = []
  const identity = { privateKey: party.privateKey, publicKey: party.publicKey }
  const sessions = new SessionManager({ identity, installationId: 'test-installation', store })
  await sessions.init()
  const messenger = await Messenger.open({
    node: party.node,
    store,
    sessions,
    identity,
    displayName: '',
    defaultNetwork: { bootnodes: [], staticPeers: [], mailservers: [] },
    applyNetwork: () => undefined,
    sync: SHORT_RESENDS,
    ...(timers ? { timers } : {}),
    emit: (event, payload) => {
      if (event === 'messages.upserted') upserts.push(...(payload as { messages: Message[] }).messages)
    },
    log: silentLogger
  })
  await messenger.start()
  const stop = async (): Promise<void> => {
    await messenger.stop()
    await store.close()
  }
  cleanup.push(stop)
  return { ...party, messenger, upserts, store }
}

async function newParty(node: WhisperNode, timers?: Timers): Promise<Party> {
  const privateKey = secp256k1.utils.randomSecretKey()
  const dir = mkdtempSync(join(tmpdir(), 'hush-messenger-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  return openMessenger({ node, privateKey, publicKey: secp256k1.getPublicKey(privateKey, false), dir }, timers)
}

function until(who: Party, predicate: (messages: Message[]) => boolean): Promise<void> {
  return pollUntil('the expected messages', () => predicate(who.upserts))
}

const OPEN = { lower: null, upper: null }

/** The store refuses the next batch that writes a message into the history (a full disk, say). */
function failNextHistoryWrite(store: EncryptedStore): void {
  const batch = store.batch.bind(store)
  const spy = vi.spyOn(store, 'batch').mockImplementation(async (ops) => {
    if (!ops.some((op) => op.key.startsWith('messenger/history/'))) return batch(ops)
    spy.mockRestore()
    throw new Error('disk full')
  })
}
const received = (p: Party, text: string) => p.upserts.filter((m) => m.text === text && m.status === 'received')

function chatMessage(fields: { text: string; chatId: string; clock?: bigint; responseTo?: string; hushDisplayName?: string }): Uint8Array {
  const now = BigInt(Date.now())
  return toBinary(
    ChatMessageSchema,
    create(ChatMessageSchema, {
      clock: fields.clock ?? now,
      timestamp: now,
      text: fields.text,
      chatId: fields.chatId,
      responseTo: fields.responseTo ?? '',
      hushDisplayName: fields.hushDisplayName ?? '',
      messageType: ChatMessage_MessageType.PUBLIC_GROUP,
      contentType: ChatMessage_ContentType.TEXT_PLAIN
    })
  )
}

describe('messenger pipeline', () => {
  it('three people in #hush-test see each other’s messages with their authors, in clock order', async () => {
    const [na, nb, nc] = [await startNode(), await startNode(), await startNode()]
    await connect(na, nb)
    await connect(nc, nb)
    const [a, b, c] = [await newParty(na), await newParty(nb), await newParty(nc)]
    for (const p of [a, b, c]) await p.messenger.joinPublic('#hush-test')

    const sentByA = await a.messenger.send({ chatId: 'hush-test', text: 'hello from a' })
    expect(sentByA.status).toBe('sending')
    await until(b, () => received(b, 'hello from a').length === 1)
    await until(c, () => received(c, 'hello from a').length === 1)
    await b.messenger.send({ chatId: 'hush-test', text: 'b here' })
    await until(a, () => received(a, 'b here').length === 1)
    await until(c, () => received(c, 'b here').length === 1)
    await c.messenger.send({ chatId: 'hush-test', text: 'and c' })
    await until(a, () => received(a, 'and c').length === 1)
    await until(b, () => received(b, 'and c').length === 1)

    const atC = received(c, 'hello from a')[0]!
    expect(atC.id).toBe(sentByA.id)
    expect(atC.author.publicKey).toBe(sentByA.author.publicKey)
    expect(atC.chatId).toBe('hush-test')
    expect(atC.outgoing).toBe(false)
    // A reply's clock is above what its author had seen.
    expect(received(a, 'and c')[0]!.clock).toBeGreaterThan(received(c, 'b here')[0]!.clock - 1)
    expect(received(c, 'b here')[0]!.clock).toBeGreaterThan(atC.clock)
    await until(a, (ms) => ms.some((m) => m.id === sentByA.id && m.status === 'sent'))
  })

  it('drops and counts invalid messages, shows a repeated message once, and ignores chats not joined', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const [a, b] = [await newParty(na), await newParty(nb)]
    for (const p of [a, b]) await p.messenger.joinPublic('hush-test')
    const symKey = await publicChatSymKey('hush-test')
    const post = (payload: Uint8Array, signed = true) =>
      na.post({ payload, topic: publicChatTopic('hush-test'), key: { symKey }, ttl: 15, ...(signed ? { signWith: a.privateKey } : {}) })

    await post(wrapMessage(chatMessage({ text: '   ', chatId: 'hush-test' }), MessageKind.CHAT_MESSAGE, a.privateKey))
    await post(wrapMessage(chatMessage({ text: 'no clock', chatId: 'hush-test', clock: 0n }), MessageKind.CHAT_MESSAGE, a.privateKey))
    await post(wrapMessage(chatMessage({ text: 'elsewhere', chatId: 'other-chat' }), MessageKind.CHAT_MESSAGE, a.privateKey))
    await post(wrapMessage(chatMessage({ text: 'unsigned envelope', chatId: 'hush-test' }), MessageKind.CHAT_MESSAGE, a.privateKey), false)
    await post(Uint8Array.of(1, 2, 3))
    const twice = wrapMessage(chatMessage({ text: 'twice', chatId: 'hush-test' }), MessageKind.CHAT_MESSAGE, a.privateKey)
    await post(twice)
    await post(twice)
    await a.messenger.send({ chatId: 'hush-test', text: 'last' })
    await until(b, () => received(b, 'last').length === 1)

    expect(received(b, 'twice')).toHaveLength(1)
    expect(b.upserts.map((m) => m.text)).toEqual(['twice', 'last'])
    expect(b.messenger.dropCounts()).toEqual({
      TEXT_BLANK: 1,
      CLOCK_ZERO: 1,
      PUBLIC_CHAT_NOT_JOINED: 1,
      UNSIGNED_ENVELOPE: 1,
      MALFORMED_WRAPPER: 1
    })
  })

  it('a reply names its original on the wire; a reference that is not a message id is left off, its text kept', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const [a, b] = [await newParty(na), await newParty(nb)]
    for (const p of [a, b]) await p.messenger.joinPublic('hush-test')
    const original = await b.messenger.send({ chatId: 'hush-test', text: 'question' })
    await until(a, () => received(a, 'question').length === 1)
    await a.messenger.send({ chatId: 'hush-test', text: 'answer', responseTo: original.id })
    await until(b, () => received(b, 'answer').length === 1)
    expect(received(b, 'answer')[0]!.responseTo).toBe(original.id)

    const symKey = await publicChatSymKey('hush-test')
    const post = (payload: Uint8Array) => na.post({ payload, topic: publicChatTopic('hush-test'), key: { symKey }, ttl: 15, signWith: a.privateKey })
    const unknown = `0x${'ab'.repeat(32)}`
    await post(wrapMessage(chatMessage({ text: 'odd reference', chatId: 'hush-test', responseTo: 'not-an-id' }), MessageKind.CHAT_MESSAGE, a.privateKey))
    await post(wrapMessage(chatMessage({ text: 'reply to the unseen', chatId: 'hush-test', responseTo: unknown }), MessageKind.CHAT_MESSAGE, a.privateKey))
    await until(b, () => received(b, 'reply to the unseen').length === 1)
    expect(received(b, 'odd reference')[0]).not.toHaveProperty('responseTo')
    expect(received(b, 'reply to the unseen')[0]!.responseTo).toBe(unknown)

    // Replying is from a message this chat holds.
    await expect(a.messenger.send({ chatId: 'hush-test', text: 'x', responseTo: unknown })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: { reason: 'REPLY_NOT_FOUND' }
    })
    await a.messenger.joinPublic('hush-other')
    await expect(a.messenger.send({ chatId: 'hush-other', text: 'x', responseTo: original.id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: { reason: 'REPLY_IN_OTHER_CHAT' }
    })
  })

  it('shows the chosen name a public-chat message carries, refuses a too-long one, and keeps it across a restart', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const a = await newParty(na)
    let b = await newParty(nb)
    for (const p of [a, b]) await p.messenger.joinPublic('hush-test')
    await a.messenger.setDisplayName('Alice A')
    await a.messenger.send({ chatId: 'hush-test', text: 'named' })
    await until(b, () => received(b, 'named').length === 1)
    expect(received(b, 'named')[0]!.author.displayName).toBe('Alice A')
    // A stranger's name is shown, not stored as a contact.
    expect(b.messenger.contacts.contact(chatKeyId(a.publicKey))).toMatchObject({ known: false, displayName: 'Alice A' })
    expect(b.messenger.contacts.list()).toEqual([])

    const symKey = await publicChatSymKey('hush-test')
    const post = (payload: Uint8Array) => na.post({ payload, topic: publicChatTopic('hush-test'), key: { symKey }, ttl: 15, signWith: a.privateKey })
    const named = (text: string, hushDisplayName: string) => wrapMessage(chatMessage({ text, chatId: 'hush-test', hushDisplayName }), MessageKind.CHAT_MESSAGE, a.privateKey)
    await post(named('too long a name', 'x'.repeat(65)))
    await post(named('bidi name', '\u202eAlice\u202c'))
    await until(b, () => received(b, 'bidi name').length === 1)
    const long = received(b, 'too long a name')[0]!
    expect(long.author.displayName).toBeUndefined()
    expect(long.author.alias).toBe(received(b, 'named')[0]!.author.alias)
    expect(received(b, 'bidi name')[0]!.author.displayName).toBe('Alice')
    expect(b.messenger.dropCounts()).toMatchObject({ PUBLIC_NAME_TOO_LONG: 1 })

    await b.messenger.stop()
    await b.store.close()
    b = await openMessenger(b)
    const stored = await b.messenger.conversations.read('hush-test', OPEN, 10)
    expect(stored.messages.map((m) => [m.text, m.author.displayName])).toEqual([
      ['named', 'Alice A'],
      ['too long a name', undefined],
      ['bidi name', 'Alice']
    ])
  })

  it('keeps every message in its history across a restart and replays nothing', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const a = await newParty(na)
    let b = await newParty(nb)
    for (const p of [a, b]) await p.messenger.joinPublic('hush-test')
    await a.messenger.send({ chatId: 'hush-test', text: 'one' })
    await a.messenger.send({ chatId: 'hush-test', text: 'two' })
    await until(b, () => received(b, 'two').length === 1)

    await b.messenger.stop()
    await b.store.close()
    b = await openMessenger(b)
    const stored = await b.messenger.conversations.read('hush-test', { lower: null, upper: null }, 10)
    expect(stored.messages.map((m) => m.text)).toEqual(['one', 'two'])
    expect(b.upserts).toEqual([])
    expect(b.messenger.listChats().map((chat) => [chat.id, chat.unread, chat.lastMessage?.text])).toEqual([['hush-test', 2, 'two']])

    // Still joined after the restart, and what it saw before is not shown again.
    await a.messenger.send({ chatId: 'hush-test', text: 'three' })
    await until(b, () => received(b, 'three').length === 1)
    expect(received(b, 'one')).toHaveLength(0)
    expect((await b.messenger.conversations.read('hush-test', { lower: null, upper: null }, 10)).messages.map((m) => m.text)).toEqual(['one', 'two', 'three'])
  })

  it('refuses bad chat names and unknown chats with clear errors', async () => {
    const p = await newParty(await startNode())
    await expect(p.messenger.joinPublic('Not Valid!')).rejects.toMatchObject({ code: 'BAD_REQUEST', details: ['INVALID_CHARACTERS'] })
    await expect(p.messenger.joinPublic('')).rejects.toMatchObject({ code: 'BAD_REQUEST', details: ['EMPTY'] })
    await expect(p.messenger.send({ chatId: 'nowhere', text: 'hi' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(p.messenger.send({ chatId: 'nowhere', text: '  ' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(p.messenger.leave('nowhere')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const chat = await p.messenger.joinPublic('  #status ')
    expect(chat).toMatchObject({ id: 'status', kind: 'public', name: 'status' })
    await p.messenger.leave('status')
    expect(p.messenger.listChats()).toEqual([])
  })

  it('a 1:1 message that left stays sent while nobody acknowledges it, and is delivered once the recipient is back', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const a = await newParty(na)
    let b = await newParty(nb)
    const bobKey = chatKeyId(b.publicKey)
    // Bob has a chat with Alice: her messages are no message request.
    await b.messenger.startOneToOne(chatKeyId(a.publicKey))
    await b.messenger.stop()
    await b.store.close()

    await a.messenger.startOneToOne(bobKey)
    const pending = await a.messenger.send({ chatId: bobKey, text: 'are you there?' })
    await until(a, (ms) => ms.some((m) => m.id === pending.id && m.status === 'sent'))
    // Well past SHORT_RESENDS' two transmissions, where MVDS used to give it up.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    b = await openMessenger(b)
    await until(b, () => received(b, 'are you there?').length === 1)
    await until(a, (ms) => ms.some((m) => m.id === pending.id && m.status === 'delivered'))
    expect(a.upserts.filter((m) => m.id === pending.id).map((m) => m.status)).not.toContain('not-sent')
    expect(received(b, 'are you there?')[0]!.id).toBe(pending.id)
  })

  it('a 1:1 message that never left becomes not-sent, and resend delivers it under the same id', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    const a = await newParty(na)
    const b = await newParty(nb)
    const bobKey = chatKeyId(b.publicKey)

    await a.messenger.startOneToOne(bobKey)
    // Bob knows Alice: her message lands in their chat, not among his requests.
    await b.messenger.startOneToOne(chatKeyId(a.publicKey))
    const lost = await a.messenger.send({ chatId: bobKey, text: 'is anyone out there?' })
    await until(a, (ms) => ms.some((m) => m.id === lost.id && m.status === 'not-sent'))
    expect(a.upserts.filter((m) => m.id === lost.id).map((m) => m.status)).not.toContain('sent')
    await expect(a.messenger.resend('0x' + '00'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' })

    await connect(na, nb)
    const again = await a.messenger.resend(lost.id)
    expect(again).toMatchObject({ id: lost.id, status: 'sending' })
    await until(b, () => received(b, 'is anyone out there?').length === 1)
    await until(a, (ms) => ms.some((m) => m.id === lost.id && m.status === 'delivered'))
    expect(received(b, 'is anyone out there?')[0]!.id).toBe(lost.id)
    await expect(a.messenger.resend(lost.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('a 1:1 message still unacknowledged when the sender restarts goes out again under its MVDS id and is delivered', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    let a = await newParty(na)
    let b = await newParty(nb)
    const bobKey = chatKeyId(b.publicKey)
    // Bob has a chat with Alice: her messages are no message request.
    await b.messenger.startOneToOne(chatKeyId(a.publicKey))
    await b.messenger.stop()
    await b.store.close()

    await a.messenger.startOneToOne(bobKey)
    const pending = await a.messenger.send({ chatId: bobKey, text: 'after the restart' })
    await until(a, (ms) => ms.some((m) => m.id === pending.id && m.status === 'sent'))
    await a.messenger.stop()
    await a.store.close()

    b = await openMessenger(b)
    a = await openMessenger(a)
    await until(b, () => received(b, 'after the restart').length === 1)
    await until(a, (ms) => ms.some((m) => m.id === pending.id && m.status === 'delivered'))
    expect(received(b, 'after the restart')[0]!.id).toBe(pending.id)
  })

  it('a send whose commit fails leaves memory, history and the network as they were; the next one goes out once', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const a = await newParty(na)
    const b = await newParty(nb)
    const bobKey = chatKeyId(b.publicKey)
    for (const p of [a, b]) await p.messenger.joinPublic('hush-test')
    await a.messenger.startOneToOne(bobKey)
    await b.messenger.startOneToOne(chatKeyId(a.publicKey))
    const before = a.messenger.listChats()

    for (const chatId of [bobKey, 'hush-test']) {
      failNextHistoryWrite(a.store)
      await expect(a.messenger.send({ chatId, text: `lost in ${chatId}` })).rejects.toThrow('disk full')
      expect((await a.messenger.conversations.read(chatId, OPEN, 10)).messages).toEqual([])
    }
    expect(a.messenger.listChats()).toEqual(before)
    expect(a.upserts).toEqual([])

    const direct = await a.messenger.send({ chatId: bobKey, text: 'kept' })
    await a.messenger.send({ chatId: 'hush-test', text: 'kept in public' })
    await until(b, () => received(b, 'kept').length === 1 && received(b, 'kept in public').length === 1)
    await until(a, (ms) => ms.some((m) => m.id === direct.id && m.status === 'delivered'))
    // One link, one queue: anything posted before these would have arrived before them.
    expect(b.upserts.filter((m) => m.text.startsWith('lost'))).toEqual([])
    expect(received(b, 'kept')).toHaveLength(1)
  })

  it('a received 1:1 message whose commit fails is not acknowledged, so its resend is stored once', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const a = await newParty(na)
    const b = await newParty(nb)
    const bobKey = chatKeyId(b.publicKey)
    await a.messenger.startOneToOne(bobKey)
    await b.messenger.startOneToOne(chatKeyId(a.publicKey))
    const warmUp = await a.messenger.send({ chatId: bobKey, text: 'warm-up' })
    await until(a, (ms) => ms.some((m) => m.id === warmUp.id && m.status === 'delivered'))

    failNextHistoryWrite(b.store)
    const hard = await a.messenger.send({ chatId: bobKey, text: 'hard to store' })
    await until(a, (ms) => ms.some((m) => m.id === hard.id && m.status === 'delivered'))
    expect(received(b, 'hard to store')).toHaveLength(1)
    expect((await b.messenger.conversations.read(chatKeyId(a.publicKey), OPEN, 10)).messages.map((m) => m.text)).toEqual(['warm-up', 'hard to store'])
  })

  it('advertises its bundle on its contact-code topic at start and on every 6-hour tick', async () => {
    const [na, nb] = [await startNode(), await startNode()]
    await connect(na, nb)
    const intervals: Array<{ run: () => void; ms: number }> = []
    const timers: Timers = {
      ...systemTimers,
      setInterval: (run, ms) => intervals.push({ run, ms }),
      clearInterval: () => undefined
    }
    const adverts: string[] = []
    nb.on('envelope', (e) => adverts.push(topicToHex(e.envelope.topic)))
    const a = await newParty(na, timers)
    const ownTopic = topicToHex(contactCodeTopic(a.publicKey))
    const count = () => adverts.filter((topic) => topic === ownTopic).length
    await pollUntil('the first advert', () => count() >= 1)

    const tick = intervals.find((i) => i.ms === BUNDLE_ADVERTISE_INTERVAL_MS)
    expect(BUNDLE_ADVERTISE_INTERVAL_MS).toBe(6 * 3600_000)
    expect(tick).toBeDefined()
    tick?.run()
    await pollUntil('the advert of the 6-hour tick', () => count() >= 2)
  })

  it('a message no connected peer would take is waiting for the network, and is sent once the peer asks less', async () => {
    const na = await startNode()
    // Asks more PoW than a node mines to (1 by default): it takes nothing from us.
    const demanding = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: 5 })
    await demanding.start()
    cleanup.push(() => demanding.stop())
    await connect(na, demanding)
    const a = await newParty(na)
    await a.messenger.joinPublic('#hush-test')
    const topic = topicToHex(publicChatTopic('hush-test'))
    const arrived = new Promise<void>((resolve) =>
      demanding.on('envelope', (e) => {
        if (topicToHex(e.envelope.topic) === topic) resolve()
      })
    )
    const sent = await a.messenger.send({ chatId: 'hush-test', text: 'anyone?' })
    await until(a, (messages) => messages.some((m) => m.id === sent.id && m.status === 'waiting'))
    expect(a.upserts.filter((m) => m.id === sent.id).map((m) => m.status)).not.toContain('sent')

    demanding.setMinPow(0.2)
    await arrived
    await until(a, (messages) => messages.some((m) => m.id === sent.id && m.status === 'sent'))
  })
})

