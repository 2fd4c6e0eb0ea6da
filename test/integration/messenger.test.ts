import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../src/shared/api'
import { twoOnARelay } from '../support/two-on-a-relay'
import { PASSWORD, people, until } from './people'

/*
 * Two built web hosts in their own processes, joined through one `hush-node` relay that is also their
 * mailserver, all on 127.0.0.1. The test plays both renderers: it keeps what main emits by message id
 * and acknowledges it, as the chat UI does. Needs `npx electron-vite build` first (npm test does it).
 */

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})
const { cast } = people(cleanup)

describe('messenger across processes', () => {
  it('1:1 between two web hosts through a relay, both ways, every message delivered', { timeout: 120_000 }, async () => {
    // Bob has a chat with Alice, so her messages are no message request (those are tested in messenger.test.ts).
    const { alice, bob } = await twoOnARelay(cast())
    const [aliceKey, bobKey] = [alice.publicKey, bob.publicKey]
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
    const { alice, bob } = await twoOnARelay(cast())
    const bobKey = bob.publicKey

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
