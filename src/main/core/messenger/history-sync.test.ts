import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { afterEach, describe, expect, it } from 'vitest'
import type { HistoryState } from '../../../shared/api'
import { EncryptedStore } from '../storage/encrypted-store'
import { Mailserver } from '../whisper/mailserver'
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

function open(client: WhisperNode, server: WhisperNode, store: EncryptedStore, nowMs: number, states: HistoryState[] = []) {
  return HistorySync.load({
    node: client,
    store,
    topics: () => [topicFromString('hush-test')],
    mailservers: () => [server.enode],
    onState: (state) => states.push(state),
    drained: async () => undefined,
    now: () => nowMs,
    pageTimeoutMs: 300
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

  it('splits long ranges into windows of at most a day, oldest first, and goes back at most 30 days', async () => {
    const { client, server, requests, store } = await setup(true)
    const now = Date.now()
    const nowSec = Math.floor(now / 1000)
    const sync = await open(client, server, store, now)
    await sync.request(2.5 * 86_400)
    expect(requests.map((r) => [r.lower - nowSec, r.upper - nowSec])).toEqual([
      [-216_000, -129_600],
      [-129_600, -43_200],
      [-43_200, 0]
    ])
    requests.length = 0
    await sync.request(40 * 86_400)
    expect(requests).toHaveLength(30)
    expect(requests[0]!.lower).toBe(nowSec - MAX_HISTORY_SECONDS)
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
