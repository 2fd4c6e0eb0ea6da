import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromBinary } from '@bufbuild/protobuf'
import { afterEach } from 'vitest'
import type { Chat, Contact, HistoryState, Message, MessageRequest } from '../../src/shared/api'
import { createClient, type HushClient } from '../../src/shared/api/client'
import { inProcessBridge } from '../../src/main/core/api/in-process'
import { HushCore } from '../../src/main/core/host'
import { silentLogger } from '../../src/main/core/log/logger'
import { createNetwork } from '../../src/main/core/network'
import { ProtocolMessageSchema } from '../../src/main/core/crypto/gen/encryption/protocol_message_pb'
import { Mailserver } from '../../src/main/core/whisper/mailserver'
import { WhisperNode } from '../../src/main/core/whisper/node'
import { pollUntil } from './poll'
import type { Cast } from './two-on-a-relay'

/*
 * Real HushCores (accounts, messenger, session manager, encrypted store) on real Whisper nodes joined through
 * one relay that is also a mailserver, all on 127.0.0.1, driven through the in-process bridge with the
 * renderer's typed client. Every wait is for an event; nothing is timed. Importing this registers the
 * cleanup of what it started after each test.
 */

const FAST_KDF = { n: 1024, r: 8, p: 1 }
export const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hush-core-'))
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export async function startRelay(): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 } })
  await node.start()
  const mailserver = new Mailserver({ node, dataDir: tempDir(), password: 'status-offline-inbox' })
  await mailserver.start()
  cleanup.push(async () => {
    await mailserver.stop()
    await node.stop()
  })
  return node
}

export class Person {
  readonly upserts: Message[] = []
  readonly history: HistoryState[] = []
  /** As of the latest contacts.changed event. */
  contacts: Contact[] = []
  /** As of the latest requests.changed event. */
  requests: MessageRequest[] = []
  chats = new Map<string, Chat>()
  publicKey = ''

  private constructor(
    readonly core: HushCore,
    readonly client: HushClient,
    readonly node: WhisperNode
  ) {
    client.on('messages.upserted', ({ messages }) => this.upserts.push(...messages))
    client.on('history.state', (state) => this.history.push(state))
    client.on('contacts.changed', ({ contacts }) => (this.contacts = contacts))
    client.on('requests.changed', ({ requests }) => (this.requests = requests))
    client.on('chats.changed', ({ chats }) => {
      for (const chat of chats) this.chats.set(chat.id, chat)
    })
  }

  static async join(relay: WhisperNode, name?: string): Promise<Person> {
    const network = createNetwork({ listen: '127.0.0.1:0', staticPeers: [relay.enode], bootnodes: [] }, silentLogger)
    const core = new HushCore({
      profileDir: tempDir(),
      runtime: 'in-process',
      version: '1',
      log: silentLogger,
      network,
      kdf: FAST_KDF,
      defaultNetwork: { staticPeers: [], bootnodes: [], mailservers: [relay.enode] }
    })
    await core.start()
    cleanup.push(() => core.stop())
    const person = new Person(core, createClient(inProcessBridge(core.dispatch, core.events)), network.whisper)
    const [candidate] = await value(person.client.call('accounts.candidates', { count: 1 }))
    const { account } = await value(person.client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'pw', ...(name ? { name } : {}) }))
    person.publicKey = account.publicKey
    await person.historyDone()
    return person
  }

  /** Resolves at the next history.state "done" (counting from `from` events already seen). */
  async historyDone(from = 0): Promise<void> {
    await until(() => this.history.slice(from).some((s) => s.state === 'done'))
  }

  received(text: string): Message[] {
    return this.upserts.filter((m) => m.text === text && m.status === 'received')
  }

  statusOf(id: string): Message['status'] | undefined {
    return this.upserts.filter((m) => m.id === id).at(-1)?.status
  }
}

export async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>): Promise<T> {
  const settled = await result
  if (!settled.ok) throw new Error(`${settled.error.code}: ${settled.error.message}`)
  return settled.value
}

/** Bounded: a broken pipeline fails the test with what it waited for instead of hanging (60 s: groups of four on a loaded machine). */
export function until(predicate: () => boolean): Promise<void> {
  return pollUntil('the expected state', predicate, { timeoutMs: 60_000 })
}

/** Decrypted ProtocolMessages `person` receives on a topic, tapped on its node with its own key. */
export function tap(person: Person, topic: Uint8Array, key: { symKey: Uint8Array } | { privateKey: Uint8Array }) {
  const seen: ReturnType<typeof fromBinary<typeof ProtocolMessageSchema>>[] = []
  const unsubscribe = person.node.subscribe({ topics: [topic], key }, (message) => seen.push(fromBinary(ProtocolMessageSchema, message.payload)))
  cleanup.push(async () => unsubscribe())
  return seen
}

/** The in-process cast of twoOnARelay (test/support/two-on-a-relay.ts). */
export const coreCast: Cast<WhisperNode, Person> = {
  startRelay,
  join: (relay, name) => Person.join(relay, name),
  publicKey: (person) => person.publicKey,
  async startChat(person, publicKey) {
    const seen = person.history.length
    await value(person.client.call('chats.startOneToOne', { publicKey }))
    await person.historyDone(seen)
  }
}

