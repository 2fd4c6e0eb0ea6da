import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message } from '../../../shared/api'
import { RecordIds } from '../crypto/protocol-state'
import { silentLogger } from '../log/logger'
import { systemTimers } from '../runtime/timers'
import { EncryptedStore } from '../storage/encrypted-store'
import { ChangeFeed } from '../messenger/change-feed'
import { ChatList } from '../messenger/chat-list'
import type { MessengerContext } from '../messenger/context'
import { DeliveryStatus } from '../messenger/delivery-status'
import { HistoryStore } from '../messenger/history-store'
import { Outbox } from '../messenger/outbox'
import { RecordKeys } from '../messenger/records'
import { SeenIds } from '../messenger/seen-ids'
import { Transaction } from '../messenger/transaction'
import type { ChatTransport } from '../messenger/transport'

/** Record keys salted with a fixed test identity. */
export function testRecordKeys(privateKey = new Uint8Array(32).fill(1)): RecordKeys {
  return new RecordKeys(new RecordIds(privateKey))
}

/** A message we sent, for the tests of the messenger's parts. */
export function outgoing(chatId: string, clock: number, fields: Partial<Message> = {}): Message {
  return {
    id: `0x${clock.toString(16).padStart(64, '0')}`,
    chatId,
    chatKind: chatId.startsWith('0x04') ? 'one-to-one' : 'public',
    author: { publicKey: `0x04${'ab'.repeat(64)}`, alias: 'Me Myself', identicon: { cells: Array.from({ length: 25 }, () => true), color: { r: 1, g: 2, b: 3 } } },
    outgoing: true,
    text: `message ${clock}`,
    clock,
    timestamp: 1_700_000_000_000,
    receivedAt: 1_700_000_000_000,
    status: 'sending',
    ...fields
  }
}

/**
 * The shared state of a messenger on a real encrypted store in a temporary folder, with a transport the
 * test describes and every event recorded. `close` removes it all.
 */
export async function partsContext(transport: Partial<ChatTransport> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hush-parts-'))
  const store = await EncryptedStore.open(dir, new Uint8Array(32).fill(9))
  const events: Array<[string, unknown]> = []
  const keys = testRecordKeys()
  let queue: Promise<unknown> = Promise.resolve()
  const ctx = {
    store,
    identity: { privateKey: new Uint8Array(32), publicKey: new Uint8Array(65) },
    ownKeyId: `0x04${'ab'.repeat(64)}`,
    transport: transport as ChatTransport,
    chats: await ChatList.load(store, keys),
    messages: new HistoryStore(store, keys),
    outbox: await Outbox.load(store, keys),
    seen: await SeenIds.load(store, keys, new Transaction(), 0),
    emit: (event: string, payload: unknown) => void events.push([event, payload]),
    log: silentLogger,
    now: () => 1_700_000_000_000,
    timers: systemTimers,
    serial<T>(task: () => Promise<T>): Promise<T> {
      const run = queue.then(task, task)
      queue = run.catch(() => undefined)
      return run
    },
    stopped: () => false
  } satisfies Omit<MessengerContext, 'sessions'>
  const feed = new ChangeFeed(ctx)
  const status = new DeliveryStatus(ctx, feed)
  return {
    ctx,
    feed,
    status,
    events,
    async close() {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
