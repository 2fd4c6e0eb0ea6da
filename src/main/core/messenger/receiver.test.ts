import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '../../../shared/api'
import type { DecryptOutcome, SessionManager } from '../crypto/session-manager'
import { CryptoError } from '../primitives/crypto-error'
import { chatKeyId } from '../protocol/chat-matching'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from '../protocol/gen/protobuf/chat_message_pb'
import { encodeSyncPayload, oneToOneGroupId } from '../protocol/datasync/payload'
import { MAX_TEXT_LENGTH } from '../protocol/validation'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import { FakeClock } from '../testing/fake-timers'
import { partsContext, testRecordKeys } from '../testing/messenger-parts'
import type { StoreOp } from '../storage/encrypted-store'
import type { ReceivedMessage } from '../whisper/filters'
import type { BundleAdvertiser } from './bundle-advertiser'
import type { ChangeFeed } from './change-feed'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import { DeliveryStatus } from './delivery-status'
import { DirectSender } from './direct-sender'
import type { BlockingService } from './blocking-service'
import type { GroupService } from './group-service'
import type { RequestsService } from './requests-service'
import { Receiver, TURN_BYTES } from './receiver'
import { ENVELOPE_PREFIX } from './records'
import { SeenIds } from './seen-ids'
import { Transaction } from './transaction'
import type { ChatTransport } from './transport'

/*
 * The inbound pipeline with sessions that behave as the real ones do on a replay: the first decryption of an
 * envelope succeeds and spends its message key, any later one fails. The rest is real: store, chat list,
 * seen ids, MVDS, the processed-envelope set.
 */

const ME = secp256k1.utils.randomSecretKey()
const ALICE = secp256k1.utils.randomSecretKey()
const NOW = 1_700_000_000_000

let close: () => Promise<void> = async () => undefined
afterEach(async () => {
  vi.restoreAllMocks()
  await close()
})

function envelopeFromAlice(text: string, hash: string): ReceivedMessage {
  const chatMessage = create(ChatMessageSchema, {
    clock: BigInt(NOW),
    timestamp: BigInt(NOW),
    text,
    chatId: chatKeyId(secp256k1.getPublicKey(ME, false)),
    messageType: ChatMessage_MessageType.ONE_TO_ONE,
    contentType: ChatMessage_ContentType.TEXT_PLAIN
  })
  return {
    payload: wrapMessage(toBinary(ChatMessageSchema, chatMessage), MessageKind.CHAT_MESSAGE, ALICE),
    signer: secp256k1.getPublicKey(ALICE, false),
    topic: new Uint8Array(4),
    sent: NOW / 1000,
    ttl: 15,
    pow: 1,
    envelopeHash: hash,
    padding: new Uint8Array(0)
  }
}

async function setUp() {
  const parts = await partsContext({ reachablePeers: () => 0 } as Partial<ChatTransport>)
  close = parts.close
  const keys = testRecordKeys()
  const spent = new Set<string>()
  const sessions = {
    decrypt: async (_sender: Uint8Array, payload: Uint8Array): Promise<DecryptOutcome> => {
      const key = bytesToHex(payload)
      if (spent.has(key)) throw new CryptoError('MESSAGE_KEY_DELETED', 'message key already used')
      return { kind: 'message', payload, installationId: 'alice-phone', via: 'dh', writes: [], confirm: () => void spent.add(key) }
    },
    batch: () => ({ kind: 'session-batch' })
  } as unknown as SessionManager
  const clock = new FakeClock(NOW)
  const upserts: Message[] = []
  const feed = { upserted: (messages: Message[]) => upserts.push(...messages), storeNew: (tx: Transaction, m: Message) => parts.ctx.messages.put(tx, m) }
  const me = secp256k1.getPublicKey(ME, false)
  const ctx: MessengerContext = { ...parts.ctx, sessions, identity: { privateKey: ME, publicKey: me }, ownKeyId: chatKeyId(me), timers: clock }
  const contacts = {
    ensure: () => undefined,
    authorOf: (publicKey: string) => ({ publicKey, alias: 'Alice', identicon: { cells: Array.from({ length: 25 }, () => false), color: { r: 0, g: 0, b: 0 } } }),
    applyUpdate: () => null
  } as unknown as ContactsService
  const started: string[] = []

  async function receiverOnStore(): Promise<{ receiver: Receiver; direct: DirectSender; drain: () => Promise<unknown> }> {
    const cleanup = new Transaction()
    const envelopes = await SeenIds.load(ctx.store, keys, cleanup, NOW, undefined, ENVELOPE_PREFIX)
    const direct = new DirectSender(ctx, new DeliveryStatus(ctx, feed as unknown as ChangeFeed), feed as unknown as ChangeFeed)
    const receiver = new Receiver(ctx, {
      feed: feed as unknown as ChangeFeed,
      direct,
      contacts,
      advertiser: {} as BundleAdvertiser,
      groups: {} as GroupService,
      requests: {} as RequestsService,
      blocking: { isBlocked: () => false } as unknown as BlockingService,
      envelopes,
      onChatStarted: (chatId) => void started.push(chatId)
    })
    return { receiver, direct, drain: () => ctx.serial(async () => undefined) }
  }
  /** Alice is someone we talk to (a stranger's first message is a request, which is not what these tests are about). */
  async function joinAlice(): Promise<void> {
    const tx = new Transaction()
    ctx.chats.add(tx, { id: chatKeyId(secp256k1.getPublicKey(ALICE, false)), kind: 'one-to-one', joinedAt: NOW, lastClock: '0' })
    await tx.commit(ctx.store)
  }
  return { ctx, spent, upserts, started, receiverOnStore, joinAlice }
}

describe('Receiver', () => {
  it('skips an envelope it processed before, before decrypting it, after a restart too: no drop, no duplicate', async () => {
    const { upserts, receiverOnStore, joinAlice } = await setUp()
    await joinAlice()
    const first = await receiverOnStore()
    const envelope = envelopeFromAlice('hello again', 'ab'.repeat(32))
    first.receiver.onInbound({ kind: 'direct', message: envelope })
    await first.drain()
    expect(upserts.map((m) => m.text)).toEqual(['hello again'])

    first.receiver.onInbound({ kind: 'direct', message: envelope })
    await first.drain()
    expect(first.receiver.dropCounts()).toEqual({})

    const restarted = await receiverOnStore()
    restarted.receiver.onInbound({ kind: 'direct', message: envelope })
    await restarted.drain()
    expect(restarted.receiver.dropCounts()).toEqual({})
    expect(upserts).toHaveLength(1)

    // A different envelope whose key is spent is still a failure worth counting.
    restarted.receiver.onInbound({ kind: 'direct', message: { ...envelope, envelopeHash: 'cd'.repeat(32) } })
    await restarted.drain()
    expect(restarted.receiver.dropCounts()).toEqual({ DECRYPT_MESSAGE_KEY_DELETED: 1 })
  })

  it('takes an empty decrypted payload for what it is: no message, no drop', async () => {
    const { upserts, receiverOnStore } = await setUp()
    const { receiver, drain } = await receiverOnStore()
    receiver.onInbound({ kind: 'direct', message: { ...envelopeFromAlice('', 'ef'.repeat(32)), payload: new Uint8Array(0) } })
    await drain()
    expect(receiver.dropCounts()).toEqual({})
    expect(upserts).toEqual([])
  })
})

/** A message from Alice carried in an MVDS payload, as status-go sends 1:1 messages: it is acknowledged. */
function syncedFromAlice(text: string, hash: string): ReceivedMessage {
  const envelope = envelopeFromAlice(text, hash)
  const groupId = oneToOneGroupId(secp256k1.getPublicKey(ALICE, false), secp256k1.getPublicKey(ME, false))
  return { ...envelope, payload: encodeSyncPayload({ messages: [{ groupId, timestamp: BigInt(NOW / 1000), body: envelope.payload }] }) }
}

describe('Receiver group commit', () => {
  // The turn's time bound would split the batch on a busy machine; these tests are about the commit.
  const noTimeBound = () => vi.spyOn(performance, 'now').mockReturnValue(0)

  it('commits messages that arrive together in one store batch, then shows and acknowledges them', async () => {
    const { ctx, spent, upserts, receiverOnStore, joinAlice } = await setUp()
    await joinAlice()
    const { receiver, direct } = await receiverOnStore()
    const batches = vi.spyOn(ctx.store, 'batch')
    noTimeBound()
    for (let i = 0; i < 10; i++) receiver.onInbound({ kind: 'direct', message: syncedFromAlice(`m${i}`, i.toString(16).padStart(64, '0')) })
    await receiver.idle()
    expect(batches).toHaveBeenCalledTimes(1)
    expect(upserts.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`))
    expect(spent.size).toBe(10)
    expect(direct.snapshot().pendingAcks.flatMap((p) => p.ids)).toHaveLength(10)
  })

  it('on a failed commit acknowledges, shows and confirms nothing, and processes the messages when they come again', async () => {
    const { ctx, spent, upserts, receiverOnStore, joinAlice } = await setUp()
    await joinAlice()
    const { receiver, direct } = await receiverOnStore()
    noTimeBound()
    const envelopes = Array.from({ length: 3 }, (_, i) => syncedFromAlice(`m${i}`, (i + 1).toString(16).padStart(64, '0')))
    vi.spyOn(ctx.store, 'batch').mockRejectedValueOnce(new Error('disk full'))
    for (const message of envelopes) receiver.onInbound({ kind: 'direct', message })
    await receiver.idle()
    expect(upserts).toEqual([])
    expect(spent.size).toBe(0)
    expect(direct.snapshot().pendingAcks).toEqual([])
    expect(receiver.dropCounts()).toEqual({})

    for (const message of envelopes) receiver.onInbound({ kind: 'direct', message })
    await receiver.idle()
    expect(upserts.map((m) => m.text)).toEqual(['m0', 'm1', 'm2'])
    expect(spent.size).toBe(3)
    expect(direct.snapshot().pendingAcks.flatMap((p) => p.ids)).toHaveLength(3)
  })

  it('leaves a message that fails out of the batch and commits the others', async () => {
    const { ctx, upserts, receiverOnStore, joinAlice } = await setUp()
    await joinAlice()
    const { receiver } = await receiverOnStore()
    noTimeBound()
    const feed = vi.spyOn(ctx.messages, 'put')
    feed.mockImplementationOnce(() => {
      throw new Error('bug in filing')
    })
    for (let i = 0; i < 3; i++) receiver.onInbound({ kind: 'direct', message: envelopeFromAlice(`m${i}`, (i + 16).toString(16).padStart(64, '0')) })
    await receiver.idle()
    expect(upserts.map((m) => m.text)).toEqual(['m1', 'm2'])
  })

  it('bounds the bytes one turn stages: a flood of large messages is committed in several batches', async () => {
    const { ctx, upserts, receiverOnStore, joinAlice } = await setUp()
    await joinAlice()
    const { receiver } = await receiverOnStore()
    const batches = vi.spyOn(ctx.store, 'batch')
    noTimeBound()
    const long = 'x'.repeat(MAX_TEXT_LENGTH - 10)
    for (let i = 0; i < 60; i++) receiver.onInbound({ kind: 'direct', message: envelopeFromAlice(`${i} ${long}`, (i + 32).toString(16).padStart(64, '0')) })
    await receiver.idle()
    expect(upserts).toHaveLength(60)
    expect(batches.mock.calls.length).toBeGreaterThanOrEqual(2)
    const bytes = (ops: readonly StoreOp[]) => ops.reduce((sum, op) => sum + op.key.length + (op.type === 'put' ? op.value.length : 0), 0)
    for (const [ops] of batches.mock.calls) expect(bytes(ops)).toBeLessThan(TURN_BYTES + 4 * MAX_TEXT_LENGTH)
  })
})

/** A public message that status-go drops at once (no Whisper signature): the cheapest full receive. */
function unsigned(n: number): ReceivedMessage {
  return { payload: Uint8Array.of(n), signer: null, topic: new Uint8Array(4), sent: 0, ttl: 10, pow: 1, envelopeHash: String(n), padding: new Uint8Array(0) }
}

describe('Receiver turns on the serial queue', () => {
  it('lets a call queued behind a mailserver’s history run after one turn, not after the whole history', async () => {
    const parts = await partsContext()
    close = parts.close
    const receiver = new Receiver(parts.ctx as unknown as MessengerContext, {
      feed: parts.feed,
      direct: {} as DirectSender,
      contacts: {} as ContactsService,
      advertiser: {} as BundleAdvertiser,
      groups: {} as GroupService,
      requests: {} as RequestsService,
      blocking: { isBlocked: () => false } as unknown as BlockingService,
      envelopes: {} as SeenIds,
      onChatStarted: () => undefined
    })
    const processed = (): number => receiver.dropCounts().UNSIGNED_ENVELOPE ?? 0
    for (let i = 0; i < 1_000; i++) receiver.onInbound({ kind: 'public', message: unsigned(i) })
    expect(receiver.backlog()).toBe(1_000)
    const processedBeforeCall = await parts.ctx.serial(async () => processed())
    expect(processedBeforeCall).toBeGreaterThan(0)
    expect(processedBeforeCall).toBeLessThanOrEqual(64)
    await receiver.idle()
    expect(processed()).toBe(1_000)
    expect(receiver.backlog()).toBe(0)
    receiver.onInbound({ kind: 'public', message: unsigned(1_000) })
    await receiver.idle()
    expect(processed()).toBe(1_001)
  })
})
