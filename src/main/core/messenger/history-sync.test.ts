import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { HistoryState } from '../../../shared/api'
import { keccak256 } from '../primitives/keccak'
import { EncryptedStore } from '../storage/encrypted-store'
import { topicsToBloom } from '../whisper/bloom'
import { encodeEnvelope } from '../whisper/envelope'
import { sealMessage } from '../whisper/message'
import { Mailserver } from '../whisper/mailserver'
import { MailserverArchive } from '../whisper/mailserver-archive'
import { decodeMessagesRequest } from '../whisper/mailserver-codec'
import { WhisperNode } from '../whisper/node'
import { topicFromString } from '../whisper/topic'
import { FIRST_SYNC_SECONDS, HistorySync, MAX_HISTORY_SECONDS, SYNC_OVERLAP_SECONDS } from './history-sync'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-history-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function startNode(): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 } })
  await node.start()
  cleanup.push(() => node.stop())
  return node
}

/** A client node connected to a server node; `answering` servers run a real Mailserver. */
async function setup(answering: boolean) {
  const [client, server] = [await startNode(), await startNode()]
  const requests: Array<{ lower: number; upper: number }> = []
  if (answering) {
    const mailserver = new Mailserver({ node: server, dataDir: tempDir(), password: 'status-offline-inbox' })
    await mailserver.start()
    cleanup.push(() => mailserver.stop())
  }
  server.on('p2pRequest', ({ payload }) => requests.push(decodeMessagesRequest(RLP.decode(payload))))
  const added = [server, client].map((node) => new Promise((resolve) => node.once('peer:added', resolve)))
  client.addPeer(server.enode)
  await Promise.all(added)
  const store = await EncryptedStore.open(tempDir(), new Uint8Array(32).fill(7))
  cleanup.push(() => store.close())
  return { client, server, requests, store }
}

/** `pageTimeoutMs` is short for servers that never answer; one that serves real pages needs room under load. */
function open(client: WhisperNode, server: WhisperNode, store: EncryptedStore, nowMs: number, states: HistoryState[] = [], pageTimeoutMs = 300) {
  return HistorySync.load({
    node: client,
    store,
    topics: () => [topicFromString('hush-test')],
    mailservers: () => [server.enode],
    onState: (state) => states.push(state),
    drained: async () => undefined,
    now: () => nowMs,
    pageTimeoutMs
  })
}

describe('history sync', () => {
  it('fetches the last day first, then from where the last sync ended, and remembers it across restarts', async () => {
    const { client, server, requests, store } = await setup(true)
    const now = Date.now()
    const nowSec = Math.floor(now / 1000)
    const states: HistoryState[] = []
    const first = await open(client, server, store, now, states)
    expect(first.state()).toEqual({ state: 'idle', syncedUntil: null, gap: null })
    expect(await first.request()).toBe(true)
    expect(requests).toMatchObject([{ lower: nowSec - FIRST_SYNC_SECONDS, upper: nowSec }])
    expect(states.map((s) => s.state)).toEqual(['fetching', 'done'])
    expect(first.state()).toEqual({ state: 'done', syncedUntil: nowSec, gap: null })
    first.close()

    const later = await open(client, server, store, now + 600_000)
    expect(later.state().syncedUntil).toBe(nowSec)
    await later.request()
    expect(requests[1]).toMatchObject({ lower: nowSec - SYNC_OVERLAP_SECONDS, upper: nowSec + 600 })
    later.close()
  })

  it('splits long ranges into windows of at most a day, newest first, and goes back at most 30 days', async () => {
    const { client, server, requests, store } = await setup(true)
    const now = Date.now()
    const nowSec = Math.floor(now / 1000)
    const sync = await open(client, server, store, now)
    await sync.request(2.5 * 86_400)
    expect(requests.map((r) => [r.lower - nowSec, r.upper - nowSec])).toEqual([
      [-86_400, 0],
      [-172_800, -86_400],
      [-216_000, -172_800]
    ])
    requests.length = 0
    await sync.request(40 * 86_400)
    expect(requests).toHaveLength(30)
    expect(requests[29]!.lower).toBe(nowSec - MAX_HISTORY_SECONDS)
    sync.close()
  })

  it('reports a failed request with the gap it leaves, and keeps the last good sync point', async () => {
    const { client, server, store } = await setup(false)
    const now = Date.now()
    const nowSec = Math.floor(now / 1000)
    const sync = await open(client, server, store, now)
    expect(await sync.request(3600)).toBe(true)
    expect(sync.state()).toMatchObject({ state: 'failed', syncedUntil: null, gap: { from: nowSec - 3600, to: nowSec } })
    expect(sync.state().failure).toBe('TIMEOUT')
    sync.close()
  })

  it('does nothing without a connected mailserver', async () => {
    const client = await startNode()
    const store = await EncryptedStore.open(tempDir(), new Uint8Array(32).fill(7))
    cleanup.push(() => store.close())
    const sync = await HistorySync.load({
      node: client,
      store,
      topics: () => [],
      mailservers: () => ['enode://' + 'ab'.repeat(64) + '@127.0.0.1:30303'],
      onState: () => undefined,
      drained: async () => undefined
    })
    expect(await sync.request()).toBe(false)
    expect(sync.state().state).toBe('idle')
    sync.close()
  })
})

describe('history of a chat just joined, at speed', () => {
  const CHAT_KEY = new Uint8Array(32).fill(5)
  const chatTopic = topicFromString('hush-joined')

  /** A mailserver whose archive holds `count` envelopes on `chatTopic`, one a second, the newest now. */
  async function seeded(count: number, nowMs: number) {
    const dir = tempDir()
    const archive = await MailserverArchive.open(join(dir, 'mailserver-archive'))
    for (let i = 0; i < count; i++) {
      const envelope = sealMessage({
        payload: utf8ToBytes(`m${i}`),
        topic: chatTopic,
        ttl: 3600,
        powTarget: 0,
        workTimeMs: 0,
        key: { symKey: CHAT_KEY },
        now: () => nowMs - i * 1000
      })
      const encoded = encodeEnvelope(envelope)
      await archive.put({ envelope, encoded, hash: keccak256(encoded) })
    }
    await archive.close()
    const [client, server] = [await startNode(), await startNode()]
    const mailserver = new Mailserver({ node: server, dataDir: dir, password: 'status-offline-inbox' })
    await mailserver.start()
    cleanup.push(() => mailserver.stop())
    const requests: Array<{ bloom: Uint8Array; at: number }> = []
    server.on('p2pRequest', ({ payload }) => requests.push({ bloom: decodeMessagesRequest(RLP.decode(payload)).bloom, at: Date.now() }))
    const added = [server, client].map((node) => new Promise((resolve) => node.once('peer:added', resolve)))
    client.addPeer(server.enode)
    await Promise.all(added)
    const store = await EncryptedStore.open(tempDir(), new Uint8Array(32).fill(7))
    cleanup.push(() => store.close())
    return { client, server, requests, store }
  }

  it('asks for the chat’s topics only, newest page first, and leaves the full sync point alone', async () => {
    const now = Date.now()
    const { client, server, requests, store } = await seeded(1_200, now)
    const received: string[] = []
    client.subscribe({ topics: [chatTopic], key: { symKey: CHAT_KEY }, allowP2P: true }, (m) => received.push(new TextDecoder().decode(m.payload)))
    const states: HistoryState[] = []
    const sync = await open(client, server, store, now, states, 10_000)
    expect(await sync.requestTopics([chatTopic], FIRST_SYNC_SECONDS)).toBe(true)
    expect(requests.map((r) => r.bloom)).toEqual([topicsToBloom([chatTopic]), topicsToBloom([chatTopic])])
    expect(received).toHaveLength(1_200)
    // The first page is the newest thousand, newest first.
    expect(received.slice(0, 3)).toEqual(['m0', 'm1', 'm2'])
    expect(new Set(received.slice(0, 1_000)).has('m999')).toBe(true)
    expect(states.map((s) => s.state)).toEqual(['fetching', 'done'])
    expect(sync.state().syncedUntil).toBeNull()
    sync.close()
  })

  it('asks for the next page while the previous one is processed, never with more than a page waiting', async () => {
    const now = Date.now()
    const { client, server, requests, store } = await seeded(2_500, now)
    const waiting: string[] = []
    client.subscribe({ topics: [chatTopic], key: { symKey: CHAT_KEY }, allowP2P: true }, (m) => waiting.push(m.envelopeHash))
    let processed = 0
    const sync = await HistorySync.load({
      node: client,
      store,
      topics: () => [chatTopic],
      mailservers: () => [server.enode],
      onState: () => undefined,
      drained: async () => undefined,
      backlog: () => waiting.length,
      now: () => now,
      pageTimeoutMs: 5_000
    })
    const done = sync.requestTopics([chatTopic], 3600)
    // Page 1 (1,000) arrived and nothing is processed yet: page 2 is asked for anyway.
    await until(() => requests.length === 2 && waiting.length === 2_000)
    // Two pages wait: page 3 is not asked for until one is processed.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(requests).toHaveLength(2)
    processed += waiting.splice(0, 1_000).length
    await until(() => requests.length === 3)
    await until(() => waiting.length === 1_500)
    processed += waiting.splice(0).length
    expect(await done).toBe(true)
    expect(processed).toBe(2_500)
    sync.close()
  })
})

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
