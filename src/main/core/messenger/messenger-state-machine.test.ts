import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '../../../shared/api'
import { SessionManager } from '../crypto/session-manager'
import { silentLogger } from '../log/logger'
import { chatKeyId } from '../protocol/chat-matching'
import { EPOCH_MS } from '../protocol/datasync/batch-node'
import { publicKeyOf } from '../primitives/secp256k1'
import { deriveStoreKey, EncryptedStore } from '../storage/encrypted-store'
import { PUBLIC_SEND_TIMEOUT_MS } from './public-sender'
import { Messenger } from './messenger'
import { FakeClock } from '../testing/fake-timers'
import { MemoryNetwork, type MemoryNode } from '../../../../test/support/memory-whisper'
import { pollUntil } from '../../../../test/support/poll'
import * as whisperMessage from '../whisper/message'

/*
 * The messenger as a state machine: real messengers, session managers and encrypted stores, joined by an
 * in-memory Whisper network and driven by a fake clock. Time moves only when the test advances it, so
 * timeouts (the public give-up, MVDS epochs) fire exactly when the test says; the network delivers in
 * posting order. Only the stores' disk I/O runs in real time, and `settle` waits for it.
 */

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

interface Device {
  node: MemoryNode
  messenger: Messenger
  sessions: SessionManager
  publicKey: Uint8Array
  upserts: Message[]
}

function world() {
  const timers = new FakeClock(1_700_000_000_000)
  const network = new MemoryNetwork(timers.now)

  async function device(name: string, installationId: string): Promise<Device> {
    const privateKey = sha256(utf8ToBytes(`state machine ${name}`))
    const publicKey = publicKeyOf(privateKey, false)
    const dir = mkdtempSync(join(tmpdir(), 'hush-state-machine-'))
    const store = await EncryptedStore.open(dir, deriveStoreKey(privateKey))
    const identity = { privateKey, publicKey }
    const sessions = new SessionManager({ identity, installationId, store, now: timers.now })
    await sessions.init()
    const node = network.node(installationId)
    const upserts: Message[] = []
    const messenger = await Messenger.open({
      node: node.asWhisperNode(),
      store,
      sessions,
      identity,
      displayName: '',
      defaultNetwork: { bootnodes: [], staticPeers: [], mailservers: [] },
      applyNetwork: () => undefined,
      timers,
      now: timers.now,
      emit: (event, payload) => {
        if (event === 'messages.upserted') upserts.push(...(payload as { messages: Message[] }).messages)
      },
      log: silentLogger
    })
    await messenger.start()
    cleanup.push(async () => {
      await messenger.stop()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    })
    return { node, messenger, sessions, publicKey, upserts }
  }

  /** Lets deliveries and disk writes finish without moving the clock. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await network.settled()
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  /** MVDS epochs, one at a time, until `done` holds (at most `epochs` of them: then it fails). */
  async function runEpochs(what: string, done: () => boolean, epochs = 100): Promise<void> {
    for (let i = 0; i < epochs; i++) {
      await settle()
      if (done()) return
      await timers.advance(EPOCH_MS)
    }
    throw new Error(`${what}: not reached within ${epochs} epochs`)
  }

  return { timers, network, device, settle, runEpochs }
}

const statuses = (d: Device, id: string) => d.upserts.filter((m) => m.id === id).map((m) => m.status)
const received = (d: Device, text: string) => d.upserts.filter((m) => m.text === text && m.status === 'received')

describe('messenger state machine (in-memory network, fake clock)', () => {
  it('a public message with no peer waits, and is given up exactly when the timeout falls due', async () => {
    const { timers, device, settle } = world()
    const alice = await device('alice', 'alice-1')
    const bob = await device('bob', 'bob-1')
    for (const d of [alice, bob]) await d.messenger.joinPublic('hush-test')
    alice.node.connect()

    const lonely = await alice.messenger.send({ chatId: 'hush-test', text: 'anyone?' })
    await pollUntil('waiting', () => statuses(alice, lonely.id).length === 2)
    expect(statuses(alice, lonely.id)).toEqual(['sending', 'waiting'])
    await timers.advance(PUBLIC_SEND_TIMEOUT_MS - 1)
    await settle()
    expect(statuses(alice, lonely.id)).toEqual(['sending', 'waiting'])
    await timers.advance(1)
    await pollUntil('given up', () => statuses(alice, lonely.id).length === 3)
    expect(statuses(alice, lonely.id)).toEqual(['sending', 'waiting', 'not-sent'])

    // A message waiting when a peer turns up goes out then, and its give-up timer is cancelled.
    const later = await alice.messenger.send({ chatId: 'hush-test', text: 'still there?' })
    await pollUntil('waiting', () => statuses(alice, later.id).length === 2)
    await timers.advance(PUBLIC_SEND_TIMEOUT_MS / 2)
    bob.node.connect()
    await pollUntil('sent and received', () => statuses(alice, later.id).length === 3 && received(bob, 'still there?').length === 1)
    expect(statuses(alice, later.id)).toEqual(['sending', 'waiting', 'sent'])
    await timers.advance(PUBLIC_SEND_TIMEOUT_MS)
    await settle()
    expect(statuses(alice, later.id)).toEqual(['sending', 'waiting', 'sent'])
    // The one given up stays given up (resend is the person's call) and never reached Bob.
    expect(statuses(alice, lonely.id)).toEqual(['sending', 'waiting', 'not-sent'])
    expect(received(bob, 'anyone?')).toEqual([])
  })

  it('a public envelope seen again (a history re-fetch, a second peer) is not decrypted again', async () => {
    const { network, device, settle } = world()
    const alice = await device('alice', 'alice-1')
    const bob = await device('bob', 'bob-1')
    for (const d of [alice, bob]) await d.messenger.joinPublic('hush-test')
    alice.node.connect()
    bob.node.connect()
    await alice.messenger.send({ chatId: 'hush-test', text: 'once' })
    await pollUntil('received', () => received(bob, 'once').length === 1)
    const posted = network.posted.find((p) => p.from === 'alice-1' && p.to.includes('bob-1'))!
    const decryptions = vi.spyOn(whisperMessage, 'openEnvelope')
    try {
      bob.node.receive({ envelope: posted.envelope, hashHex: posted.hashHex, pow: 0 })
      bob.node.receive({ envelope: posted.envelope, hashHex: posted.hashHex, pow: 0 })
      await settle()
      expect(decryptions).not.toHaveBeenCalled()
      // A different envelope on the same topic is still decrypted: only what was processed is skipped.
      await alice.messenger.send({ chatId: 'hush-test', text: 'twice' })
      await pollUntil('received', () => received(bob, 'twice').length === 1)
      expect(decryptions).toHaveBeenCalledTimes(1)
    } finally {
      decryptions.mockRestore()
    }
    expect(received(bob, 'once')).toHaveLength(1)
  })

  it('a device a message was not addressed to answers with its bundle, listens on the negotiated topic, and is addressed from then on', async () => {
    const { network, device, settle, runEpochs } = world()
    const bob = await device('bob', 'bob-1')
    const alice1 = await device('alice', 'alice-1')
    const aliceKey = chatKeyId(alice1.publicKey)
    // Alice has a chat with Bob on both devices, so his messages are no message request.
    await alice1.messenger.startOneToOne(chatKeyId(bob.publicKey))
    // Bob opens the chat first, so he hears alice-1's contact-code advert when she comes online: he
    // knows her bundle, and no shared secret yet (he writes on her partitioned topic, which every device of hers watches).
    await bob.messenger.startOneToOne(aliceKey)
    bob.node.connect()
    alice1.node.connect()
    await pollUntil('alice-1 advertised', () => network.posted.some((p) => p.from === 'alice-1' && p.to.includes('bob-1')))
    await settle()

    // Alice's second device joins while Bob is away, so he misses its advert.
    bob.node.disconnect()
    const alice2 = await device('alice', 'alice-2')
    await alice2.messenger.startOneToOne(chatKeyId(bob.publicKey))
    const replies = vi.spyOn(alice2.sessions, 'buildDhMessage')

    alice2.node.connect()
    await pollUntil('the contact-code advert of alice-2', () => network.posted.some((p) => p.from === 'alice-2'))
    await settle()
    expect(network.posted.filter((p) => p.from === 'alice-2').map((p) => p.to)).toEqual([['alice-1']])
    bob.node.connect()
    await settle()
    const before = network.posted.length

    const first = await bob.messenger.send({ chatId: aliceKey, text: 'to alice-1 only' })
    await runEpochs('first delivered to alice-1, and alice-2 replied', () => received(alice1, 'to alice-1 only').length === 1 && replies.mock.calls.length === 1)
    expect(received(alice2, 'to alice-1 only')).toEqual([])
    expect(replies.mock.calls[0]![0]).toEqual(bob.publicKey)
    expect(replies.mock.calls[0]![1]).toEqual(new Uint8Array(0))
    expect(network.posted.slice(before).some((p) => p.from === 'alice-2' && p.to.includes('bob-1'))).toBe(true)

    // Bob counts the empty reply as alice-2 having answered (as status-go does), so he writes on the
    // negotiated topic now: alice-2 hears it there only because replying made her listen.
    await runEpochs('first acknowledged', () => statuses(bob, first.id).includes('delivered'))
    const second = await bob.messenger.send({ chatId: aliceKey, text: 'to both devices' })
    await runEpochs('second delivered to both', () => received(alice1, 'to both devices').length === 1 && received(alice2, 'to both devices').length === 1)
    // The bundle in the reply made Bob address alice-2 as well; nothing was left unreadable, so no second reply.
    expect(replies).toHaveBeenCalledTimes(1)
    expect(received(alice2, 'to both devices')[0]!.id).toBe(second.id)
  })
})
