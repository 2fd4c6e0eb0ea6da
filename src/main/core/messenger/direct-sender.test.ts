import { create } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/api'
import type { SessionManager } from '../crypto/session-manager'
import { chatKeyId } from '../protocol/chat-matching'
import { DEFAULT_MAX_SEND_COUNT, EPOCH_MS } from '../protocol/datasync/batch-node'
import { decodeSyncPayload, oneToOneGroupId } from '../protocol/datasync/payload'
import { PayloadSchema } from '../protocol/gen/mvds/sync_pb'
import { FakeClock } from '../testing/fake-timers'
import { outgoing, partsContext, testRecordKeys } from '../testing/messenger-parts'
import type { MessengerContext } from './context'
import { DeliveryStatus } from './delivery-status'
import { ACK_COALESCE_MS, COALESCE_MS, DirectSender, FLUSH_BURST, FLUSH_GAP_FACTOR, FLUSHES_PER_SECOND, RETENTION_MS } from './direct-sender'
import { Outbox, type OutboxEntry } from './outbox'
import { Transaction } from './transaction'
import type { ChatTransport } from './transport'

/*
 * The 1:1 sender's state machine under fake timers and a fake clock, with status-go's default resend
 * schedule: a transport that counts posts (and says whether a peer took them), sessions that pass payloads
 * through, and the real outbox, history and encrypted store.
 */

const ME = secp256k1.utils.randomSecretKey()
const BOB = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false)
const BOB_ID = chatKeyId(BOB)
const START = 1_700_000_000_000
/** Seconds after the first transmission at which status-go's backoff sends again: 100 epochs doubling, capped at an hour. */
const SCHEDULE_S = [0, 30, 90, 210, 450, 930, 1890, 3810, 7410, 11_010]

const passThrough = {
  encrypt: async (_peer: Uint8Array, payload: Uint8Array) => ({
    protocolMessage: payload,
    writes: [],
    sharedSecret: { secret: new Uint8Array(32), agreed: false }
  })
} as unknown as SessionManager

let close: () => Promise<void> = async () => undefined
afterEach(async () => {
  await close()
})

async function setUp() {
  /** `postCostMs`: how far the sender's clock moves while a post is made (the clock of timers does not). */
  const network = { peers: 1, posts: [] as number[], carried: [] as string[][], acks: [] as number[], postCostMs: 0 }
  let drift = 0
  // Each timer's work (an MVDS epoch on the serial queue, store writes included) finishes before the next.
  const clock: FakeClock = new FakeClock(START, () => ctx.serial(async () => undefined))
  const parts = await partsContext({
    reachablePeers: () => network.peers,
    watchNegotiated: async () => undefined,
    postDirect: async (_peer: Uint8Array, payload: Uint8Array) => {
      network.posts.push(clock.now())
      drift += network.postCostMs
      const decoded = decodeSyncPayload(payload)
      network.carried.push((decoded?.messages ?? []).map((m) => new TextDecoder().decode(m.body)))
      network.acks.push(decoded?.acks.length ?? 0)
      return network.peers
    }
  } as Partial<ChatTransport>)
  close = parts.close
  const keys = testRecordKeys()
  const upserts: Message[] = []
  const feed = { upserted: (messages: Message[]) => upserts.push(...messages) } as unknown as typeof parts.feed
  let ctx: MessengerContext = {
    ...parts.ctx,
    sessions: passThrough,
    identity: { privateKey: ME, publicKey: secp256k1.getPublicKey(ME, false) },
    now: () => clock.now() + drift,
    timers: clock
  }
  let sender = new DirectSender(ctx, new DeliveryStatus(ctx, feed), feed)

  return {
    ...parts,
    network,
    clock,
    upserts,
    get ctx() {
      return ctx
    },
    get sender() {
      return sender
    },
    async send(text: string): Promise<OutboxEntry> {
      const message = outgoing(BOB_ID, clock.now(), { text })
      const wrapper = new TextEncoder().encode(text)
      const tx = new Transaction()
      const entry: OutboxEntry = { message, wrapper: bytesToHex(wrapper), sync: sender.queue(tx, BOB_ID, wrapper) }
      ctx.outbox.put(tx, entry)
      ctx.messages.put(tx, message)
      await tx.commit(ctx.store)
      sender.schedule(true)
      return entry
    },
    /** Stops the sender and starts another on what the store holds, as a restart of the app does. */
    async restart(): Promise<void> {
      sender.stop()
      ctx = { ...ctx, outbox: await Outbox.load(ctx.store, keys) }
      sender = new DirectSender(ctx, new DeliveryStatus(ctx, feed), feed)
      sender.schedule()
    },
    /** A payload from Bob carrying one message, as the receiver hands it over. */
    async receiveFromBob(text: string): Promise<void> {
      const tx = new Transaction()
      const before = sender.snapshot()
      const message = { groupId: oneToOneGroupId(BOB, ctx.identity.publicKey), timestamp: BigInt(Math.floor(clock.now() / 1000)), body: new TextEncoder().encode(text) }
      sender.receive(tx, BOB, create(PayloadSchema, { messages: [message] }), [])
      await sender.commit(tx, before)
      sender.acknowledgeSoon()
    },
    /** Bob's node acknowledges `entry`. */
    async acknowledge(entry: OutboxEntry): Promise<void> {
      const tx = new Transaction()
      const before = sender.snapshot()
      const updates: Message[] = []
      sender.receive(tx, BOB, create(PayloadSchema, { acks: [hexToBytes(entry.sync!.id)] }), updates)
      tx.afterCommit(() => upserts.push(...updates))
      await sender.commit(tx, before)
    },
    async statusOf(entry: OutboxEntry) {
      return (await ctx.messages.get(entry.message.id))?.status
    }
  }
}

/** Seconds since `from` of each post. */
const secondsSince = (from: number, posts: number[]) => posts.map((at) => Math.round((at - from) / 1000))

describe('DirectSender', () => {
  it('keeps a message that left sent through every MVDS give-up, resending at a slowing pace until the mailservers forget it', async () => {
    const parts = await setUp()
    const entry = await parts.send('are you there?')
    await parts.clock.advance(SCHEDULE_S.at(-1)! * 1000 + EPOCH_MS)
    expect(secondsSince(START, parts.network.posts)).toEqual(SCHEDULE_S)
    expect(parts.network.posts.length).toBeGreaterThan(DEFAULT_MAX_SEND_COUNT)
    expect(await parts.statusOf(entry)).toBe('sent')
    expect(parts.upserts.map((m) => m.status)).toEqual(['sent'])

    // A month on, the recipient could no longer fetch it: resends stop, it stays sent, the outbox lets it go.
    await parts.clock.advance(RETENTION_MS)
    const last = parts.network.posts.length
    expect(last).toBeGreaterThan(24 * 30)
    await parts.clock.advance(24 * 3600_000)
    expect(parts.network.posts).toHaveLength(last)
    expect(await parts.statusOf(entry)).toBe('sent')
    expect(parts.ctx.outbox.get(entry.message.id)).toBeUndefined()
    expect(parts.upserts.map((m) => m.status)).toEqual(['sent'])
  })

  it('sends into a quiet conversation at once, and back-to-back messages without waiting for an epoch', async () => {
    const parts = await setUp()
    for (const text of ['one', 'two', 'three', 'four', 'five']) {
      await parts.send(text)
      await parts.clock.advance(COALESCE_MS)
    }
    expect(parts.network.posts.map((at) => at - START)).toEqual([1, 2, 3, 4, 5].map((n) => n * COALESCE_MS))
    expect(parts.network.carried).toEqual([['one'], ['two'], ['three'], ['four'], ['five']])
  })

  it('puts messages queued together into one payload', async () => {
    const parts = await setUp()
    for (const text of ['a', 'b', 'c']) await parts.send(text)
    await parts.clock.advance(EPOCH_MS)
    expect(parts.network.carried).toEqual([['a', 'b', 'c']])
  })

  it('bounds a flood of sends by the flush budget, each message carried once and none left behind', async () => {
    const parts = await setUp()
    const sends = 400
    for (let i = 0; i < sends; i++) {
      await parts.send(`flood ${i}`)
      await parts.clock.advance(1)
    }
    await parts.clock.advance(1000 / FLUSHES_PER_SECOND)
    const elapsed = parts.clock.now() - START
    expect(parts.network.posts.length).toBeLessThanOrEqual(FLUSH_BURST + Math.ceil((elapsed * FLUSHES_PER_SECOND) / 1000))
    expect(parts.network.carried.flat()).toEqual(Array.from({ length: sends }, (_, i) => `flood ${i}`))
  })

  it('waits FLUSH_GAP_FACTOR times as long as the last step took before the next flush', async () => {
    const parts = await setUp()
    parts.network.postCostMs = 10
    await parts.send('one')
    await parts.clock.advance(COALESCE_MS)
    await parts.send('two')
    await parts.clock.advance(100)
    expect(parts.network.posts.map((at) => at - START)).toEqual([COALESCE_MS, COALESCE_MS + FLUSH_GAP_FACTOR * 10])
  })

  it('acknowledges what arrives during a flood of sends on the next flush', async () => {
    const parts = await setUp()
    for (let i = 0; i < 50; i++) {
      await parts.send(`flood ${i}`)
      await parts.clock.advance(1)
    }
    const before = parts.network.posts.length
    await parts.receiveFromBob('hello back')
    await parts.clock.advance(1000 / FLUSHES_PER_SECOND + ACK_COALESCE_MS)
    expect(parts.network.acks.slice(before)).toContain(1)
  })

  it('acknowledges payloads arriving close together in one flush', async () => {
    const parts = await setUp()
    for (const text of ['one', 'two', 'three']) {
      await parts.receiveFromBob(text)
      await parts.clock.advance(ACK_COALESCE_MS / 5)
    }
    await parts.clock.advance(ACK_COALESCE_MS)
    expect(parts.network.acks).toEqual([3])
  })

  it('keeps resends on the wall-clock epoch schedule while other messages flush in between', async () => {
    const parts = await setUp()
    await parts.send('first')
    for (let t = 0; t < 40; t++) {
      await parts.clock.advance(1000)
      await parts.send(`chatter ${t}`)
    }
    await parts.clock.advance(1000)
    const resends = parts.network.carried.flatMap((texts, i) => (texts.includes('first') ? [parts.network.posts[i]!] : []))
    expect(secondsSince(START, resends)).toEqual(SCHEDULE_S.slice(0, 2))
  })

  it('gives up as not-sent only a message that never left this node', async () => {
    const parts = await setUp()
    parts.network.peers = 0
    const entry = await parts.send('anyone?')
    await parts.clock.advance(SCHEDULE_S[DEFAULT_MAX_SEND_COUNT]! * 1000 + EPOCH_MS)
    expect(parts.network.posts).toHaveLength(DEFAULT_MAX_SEND_COUNT)
    expect(parts.upserts.map((m) => m.status)).toEqual(['waiting', 'not-sent'])
    expect(parts.ctx.outbox.get(entry.message.id)?.message.status).toBe('not-sent')
    await parts.clock.advance(24 * 3600_000)
    expect(parts.network.posts).toHaveLength(DEFAULT_MAX_SEND_COUNT)
  })

  it('resumes the resend schedule where it stood after a restart, and a late acknowledgement still delivers', async () => {
    const parts = await setUp()
    const entry = await parts.send('see you later')
    await parts.clock.advance(500_000)
    expect(secondsSince(START, parts.network.posts)).toEqual(SCHEDULE_S.slice(0, 5))
    await parts.restart()
    await parts.clock.advance(SCHEDULE_S[7]! * 1000 - 500_000 + EPOCH_MS)
    // Not at once and from the start again (500 s, then 530 s), but when the next resend was due, slower after.
    expect(secondsSince(START, parts.network.posts)).toEqual(SCHEDULE_S.slice(0, 8))

    await parts.restart()
    await parts.acknowledge(entry)
    expect(await parts.statusOf(entry)).toBe('delivered')
    expect(parts.ctx.outbox.get(entry.message.id)).toBeUndefined()
    await parts.clock.advance(2 * 3600_000)
    expect(parts.network.posts).toHaveLength(8)
  })

  it('turns a given-up message delivered when its acknowledgement comes after a restart', async () => {
    const parts = await setUp()
    parts.network.peers = 0
    const entry = await parts.send('late')
    await parts.clock.advance(SCHEDULE_S[DEFAULT_MAX_SEND_COUNT]! * 1000 + EPOCH_MS)
    expect(await parts.statusOf(entry)).toBe('not-sent')
    await parts.restart()
    await parts.clock.advance(3600_000)
    expect(parts.network.posts).toHaveLength(DEFAULT_MAX_SEND_COUNT)
    await parts.acknowledge(entry)
    expect(await parts.statusOf(entry)).toBe('delivered')
  })
})
