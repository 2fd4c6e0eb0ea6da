import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message, MessageRange } from '../../src/shared/api'
import { HushNodeProcess } from './hush-node-process'
import { WebHostProcess } from './web-host-process'

/*
 * Two built web hosts in their own processes, joined through one `hush-node` relay that is also their
 * mailserver, all on 127.0.0.1. The test plays both renderers: it keeps what main emits by message id
 * and acknowledges it, as the chat UI does. Needs `npx electron-vite build` first (npm test does it).
 */

const PASSWORD = 'correct horse battery staple'
const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-it-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function startRelay(): Promise<HushNodeProcess> {
  const relay = await HushNodeProcess.start([
    '--listen',
    '127.0.0.1:0',
    '--mailserver',
    '--data-dir',
    tempDir(),
    '--mailserver-password',
    'status-offline-inbox'
  ])
  cleanup.push(() => relay.stop())
  return relay
}

/** One person: a web host process plus the renderer-side store the test keeps for it. */
class Person {
  /** By message id, latest state: what the renderer's database would hold. */
  readonly messages = new Map<string, Message>()
  /** Every history.state the host emitted. */
  readonly historyStates: string[] = []
  host!: WebHostProcess

  constructor(
    readonly profile: string,
    private readonly relay: HushNodeProcess
  ) {}

  async start(): Promise<void> {
    this.host = await WebHostProcess.start({ profile: this.profile, staticPeers: [this.relay.enode], mailservers: [this.relay.enode] })
    cleanup.push(() => this.host.stop())
    this.host.client.on('messages.upserted', ({ messages }) => this.store(messages))
    this.host.client.on('history.state', ({ state }) => this.historyStates.push(state))
  }

  /** After an unlock: every message main's history holds, chat by chat, page by page. */
  async catchUp(): Promise<Message[]> {
    const all: Message[] = []
    for (const chat of await this.host.call('chats.list', {})) {
      // Oldest first: a closed upper end makes the read start at the lower one.
      let range: MessageRange = { lower: null, upper: Number.MAX_SAFE_INTEGER }
      for (;;) {
        const page = await this.host.call('history.read', { chatId: chat.id, range, limit: 1_000 })
        all.push(...page.messages)
        if (!page.hasNewer || page.range.upper === null) break
        range = { lower: page.range.upper + 1, upper: Number.MAX_SAFE_INTEGER }
      }
    }
    this.store(all)
    return all
  }

  received(): Message[] {
    return [...this.messages.values()].filter((m) => m.status === 'received')
  }

  private store(messages: Message[]): void {
    for (const message of messages) this.messages.set(message.id, message)
  }
}

async function until(predicate: () => boolean, what: string, stderr: () => string[]): Promise<void> {
  const started = Date.now()
  while (!predicate()) {
    // A bound so a broken pipeline fails with its host's log instead of hanging the suite.
    if (Date.now() - started > 60_000) throw new Error(`gave up waiting for ${what}: ${stderr().slice(-20).join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('messenger across processes', () => {
  it('1:1 between two web hosts through a relay, both ways, every message delivered', { timeout: 120_000 }, async () => {
    const relay = await startRelay()
    const alice = new Person(tempDir(), relay)
    const bob = new Person(tempDir(), relay)
    await alice.start()
    await bob.start()
    const aliceKey = await alice.host.createAccount(PASSWORD)
    const bobKey = await bob.host.createAccount(PASSWORD)

    // Bob has a chat with Alice, so her messages are no message request (those are tested in messenger.test.ts).
    await bob.host.call('chats.startOneToOne', { publicKey: aliceKey })
    await alice.host.call('chats.startOneToOne', { publicKey: bobKey })
    const sent: Message[] = []
    for (const text of ['one', 'two', 'three']) sent.push(await alice.host.call('messages.send', { chatId: bobKey, text }))
    await until(() => bob.received().length === 3, 'Bob to receive three messages', () => bob.host.stderr)
    for (const text of ['four', 'five']) sent.push(await bob.host.call('messages.send', { chatId: aliceKey, text }))
    await until(() => alice.received().length === 2, 'Alice to receive two messages', () => alice.host.stderr)

    for (const message of sent) {
      const sender = message.author.publicKey === aliceKey ? alice : bob
      await until(() => sender.messages.get(message.id)?.status === 'delivered', `${message.text} delivered`, () => sender.host.stderr)
    }
    expect(bob.received().map((m) => m.text).sort()).toEqual(['one', 'three', 'two'])
    expect(bob.received().every((m) => m.chatId === aliceKey && m.author.publicKey === aliceKey)).toBe(true)
    expect(alice.received().map((m) => m.text).sort()).toEqual(['five', 'four'])
  })

  it('SIGKILL of the receiving host while 200 messages flow: after a restart all 200 arrive, exactly once', { timeout: 120_000 }, async () => {
    const relay = await startRelay()
    const alice = new Person(tempDir(), relay)
    const bob = new Person(tempDir(), relay)
    await alice.start()
    await bob.start()
    const aliceKey = await alice.host.createAccount(PASSWORD)
    const bobKey = await bob.host.createAccount(PASSWORD)
    await until(() => bob.historyStates.includes('done'), 'Bob’s first history sync', () => bob.host.stderr)
    await bob.host.call('chats.startOneToOne', { publicKey: aliceKey })
    await alice.host.call('chats.startOneToOne', { publicKey: bobKey })

    const texts = Array.from({ length: 200 }, (_, i) => `message ${i}`)
    let killed = false
    for (const [i, text] of texts.entries()) {
      await alice.host.call('messages.send', { chatId: bobKey, text })
      if (!killed && (bob.received().length >= 50 || i === 150)) {
        killed = true
        await bob.host.kill()
      }
    }
    expect(killed).toBe(true)
    const beforeKill = bob.received().length
    // Every message has left Alice's node, so the relay has archived it before Bob asks.
    const sentOrBetter = (m: Message) => m.status === 'sent' || m.status === 'delivered'
    await until(() => [...alice.messages.values()].filter(sentOrBetter).length === 200, 'Alice’s 200 messages sent', () => alice.host.stderr)

    const statesBefore = bob.historyStates.length
    await bob.start()
    await bob.host.unlockOnly(PASSWORD)
    await bob.catchUp()
    // The history sync after the restart is enough: no waiting for MVDS resends.
    await until(() => bob.historyStates.slice(statesBefore).includes('done'), 'Bob’s history sync after the restart', () => bob.host.stderr)

    // Main's history is the one copy: each text in it exactly once, under one id.
    const stored = (await bob.catchUp()).filter((m) => m.status === 'received')
    expect(stored.map((m) => m.text).sort()).toEqual([...texts].sort())
    const received = bob.received()
    expect(beforeKill).toBeLessThan(200)
    expect(received).toHaveLength(200)
    expect(new Set(received.map((m) => m.text))).toEqual(new Set(texts))
    expect(new Set(received.map((m) => m.id)).size).toBe(200)
  })
})
