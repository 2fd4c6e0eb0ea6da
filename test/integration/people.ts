import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Message, MessageRange } from '../../src/shared/api'
import { pollUntil } from '../support/poll'
import type { Cast } from '../support/two-on-a-relay'
import { HushNodeProcess } from './hush-node-process'
import { WebHostProcess } from './web-host-process'

/*
 * The cast of the multi-process tests: a `hush-node` relay that is also the mailserver, and people, each a
 * built web host process plus the renderer-side record the test keeps for it.
 */

export const PASSWORD = 'correct horse battery staple'

/** Polls `predicate` every 20 ms; fails with the host's log after a minute instead of hanging the suite. */
export function until(predicate: () => boolean, what: string, stderr: () => string[]): Promise<void> {
  return pollUntil(what, predicate, { timeoutMs: 60_000, intervalMs: 20, detail: () => stderr().slice(-20).join('\n') })
}

/** Everything made here is stopped and deleted by the tasks pushed on `cleanup` (run them in reverse). */
export function people(cleanup: Array<() => Promise<unknown>>) {
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'hush-it-'))
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
    return dir
  }

  /** A relay with a mailserver; `dataDir`, `listen` and `nodeKey` make a restart the same node on the same port. */
  async function startRelay(options: { dataDir?: string; listen?: string; nodeKey?: string } = {}): Promise<HushNodeProcess> {
    const args = ['--listen', options.listen ?? '127.0.0.1:0', '--mailserver', '--data-dir', options.dataDir ?? tempDir(), '--mailserver-password', 'status-offline-inbox']
    if (options.nodeKey) args.push('--nodekey', options.nodeKey)
    const relay = await HushNodeProcess.start(args)
    cleanup.push(() => relay.stop())
    return relay
  }

  /** One person: a web host process plus the renderer-side store the test keeps for it. */
  class Person {
    /** By message id, latest state: what the renderer's database would hold. */
    readonly messages = new Map<string, Message>()
    /** Every received message each messages.upserted event carried, in order, with the host lifetime it came in. */
    readonly deliveries: Array<{ id: string; text: string; lifetime: number }> = []
    /** Every history.state the host emitted. */
    readonly historyStates: string[] = []
    host!: WebHostProcess
    /** Set by createAccount(). */
    publicKey = ''
    private lifetime = 0

    constructor(
      readonly profile: string,
      private readonly relay: { enode: string }
    ) {}

    async start(): Promise<void> {
      this.lifetime += 1
      const lifetime = this.lifetime
      this.host = await WebHostProcess.start({ profile: this.profile, staticPeers: [this.relay.enode], mailservers: [this.relay.enode] })
      cleanup.push(() => this.host.stop())
      this.host.client.on('messages.upserted', ({ messages }) => {
        for (const m of messages) if (m.status === 'received') this.deliveries.push({ id: m.id, text: m.text, lifetime })
        this.store(messages)
      })
      this.host.client.on('history.state', ({ state }) => this.historyStates.push(state))
    }

    async createAccount(): Promise<string> {
      this.publicKey = await this.host.createAccount(PASSWORD)
      return this.publicKey
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

  /** The cast of twoOnARelay (test/support/two-on-a-relay.ts); `relayOptions` as for startRelay. */
  function cast(relayOptions: Parameters<typeof startRelay>[0] = {}): Cast<HushNodeProcess, Person> {
    const historyDone = (person: Person, seen: number, what: string) =>
      until(() => person.historyStates.slice(seen).includes('done'), what, () => person.host.stderr)
    return {
      startRelay: () => startRelay(relayOptions),
      async join(relay, name) {
        const person = new Person(tempDir(), relay)
        await person.start()
        await person.createAccount()
        await historyDone(person, 0, `${name}’s first history sync`)
        return person
      },
      publicKey: (person) => person.publicKey,
      async startChat(person, publicKey) {
        const seen = person.historyStates.length
        await person.host.call('chats.startOneToOne', { publicKey })
        await historyDone(person, seen, 'the history fetch of a new chat')
      }
    }
  }

  return { tempDir, startRelay, Person, cast }
}
