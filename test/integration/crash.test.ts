import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../src/shared/api'
import { twoOnARelay } from '../support/two-on-a-relay'
import { PASSWORD, people } from './people'

/*
 * Crash recovery across processes: Alice sends Bob a run of 1:1 messages through a relay that is also
 * their mailserver, while the test SIGKILLs the sender, the relay and the receiver at random points and
 * restarts each. Seeded: HUSH_CRASH_SEED=<seed> replays a run; every run prints its seed. Needs
 * `npx electron-vite build` first (npm test does it).
 *
 * What must hold: every message Alice's history holds as sent reaches Bob exactly once, and nothing else
 * does (a send killed before it committed must not turn up at Bob either). Deliveries are counted as a
 * list of every event, not a map by id, so a duplicate fails the test as surely as a loss.
 */

const MESSAGES = 30
const KILLS = 5
type Target = 'sender' | 'relay' | 'receiver'

/** mulberry32: small, seedable, good enough to pick kill points. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** KILLS distinct message indices, each with a target (every target at least once) and a delay into the send. */
function killPlan(random: () => number): Map<number, { target: Target; delayMs: number }> {
  const targets: Target[] = ['sender', 'relay', 'receiver']
  while (targets.length < KILLS) targets.push(targets[Math.floor(random() * 3)]!)
  const plan = new Map<number, { target: Target; delayMs: number }>()
  while (plan.size < KILLS) {
    const at = 2 + Math.floor(random() * (MESSAGES - 4))
    if (plan.has(at)) continue
    const index = Math.floor(random() * targets.length)
    plan.set(at, { target: targets.splice(index, 1)[0]!, delayMs: Math.floor(random() * 150) })
  }
  return plan
}

const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const task of cleanup.splice(0).reverse()) await task()
})
const { tempDir, startRelay, cast } = people(cleanup)

describe('crash recovery', () => {
  it('kills the sender, the relay and the receiver at random points: every sent message arrives exactly once', { timeout: 240_000 }, async () => {
    const seed = Number(process.env.HUSH_CRASH_SEED ?? randomBytes(4).readUInt32BE(0))
    process.stdout.write(`crash test seed ${seed} (replay with HUSH_CRASH_SEED=${seed})\n`)
    const plan = killPlan(prng(seed))
    const context = `seed ${seed}, kills ${JSON.stringify([...plan])}`

    const relayDir = tempDir()
    const nodeKey = randomBytes(32).toString('hex')
    const pair = await twoOnARelay(cast({ dataDir: relayDir, nodeKey }))
    const { alice, bob } = pair
    let relay = pair.relay
    const listen = `127.0.0.1:${new URL(relay.enode).port}`
    const bobKey = bob.publicKey

    const restart = {
      sender: async () => {
        await alice.host.kill()
        await alice.start()
        await alice.host.unlockOnly(PASSWORD)
      },
      receiver: async () => {
        await bob.host.kill()
        await bob.start()
        await bob.host.unlockOnly(PASSWORD)
      },
      relay: async () => {
        await relay.kill()
        relay = await startRelay({ dataDir: relayDir, nodeKey, listen })
      }
    }

    const refused: string[] = []
    for (let i = 0; i < MESSAGES; i++) {
      const text = `message ${i}`
      const send = alice.host.call('messages.send', { chatId: bobKey, text }).then(
        () => undefined,
        (error: unknown) => void refused.push(`${text}: ${String(error)}`)
      )
      const kill = plan.get(i)
      if (kill) {
        await new Promise((resolve) => setTimeout(resolve, kill.delayMs))
        await restart[kill.target]()
      }
      await send
    }

    // Alice's history is the truth about what was sent: a send killed before its commit is simply not there.
    const sentTexts = (await alice.catchUp()).filter((m) => m.status !== 'received').map((m) => m.text)
    expect(sentTexts.length, context).toBeGreaterThanOrEqual(MESSAGES - refused.length)
    const arrived = async () => (await bob.catchUp()).filter((m) => m.status === 'received')
    let stored: Message[] = []
    const started = Date.now()
    while (Date.now() - started < 120_000) {
      stored = await arrived()
      if (sentTexts.every((text) => stored.some((m) => m.text === text))) break
      await new Promise((resolve) => setTimeout(resolve, 500))
    }

    // Bob's history: each sent text exactly once, nothing else.
    expect(stored.map((m) => m.text).sort(), context).toEqual([...sentTexts].sort())
    // Every delivery event: one id per text across all of Bob's lifetimes, and no id twice in one lifetime.
    const idsByText = new Map<string, Set<string>>()
    for (const d of bob.deliveries) idsByText.set(d.text, (idsByText.get(d.text) ?? new Set()).add(d.id))
    expect([...idsByText].filter(([, ids]) => ids.size > 1), context).toEqual([])
    const perLifetime = bob.deliveries.map((d) => `${d.lifetime}/${d.id}`)
    expect(perLifetime.length - new Set(perLifetime).size, context).toBe(0)
    expect([...idsByText.keys()].filter((text) => !sentTexts.includes(text)), context).toEqual([])
  })
})
