import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MessageChange } from '../src/shared/api'
import { HushNodeProcess } from '../test/integration/hush-node-process'
import { WebHostProcess } from '../test/integration/web-host-process'
import { percentile } from './measure'
import type { BenchResult, BenchSuite } from './result'

/*
 * Private groups end to end: N built web hosts (one process each) joined through one hush-node relay on
 * loopback, driven over their WebSocket API. One member creates the group, everyone joins, a warm-up
 * message opens every pairwise session; then, one at a time with a pause, the creator sends a text and
 * the time runs from the send call until the last member's messages.upserted event carries it. Each send
 * is N-1 MVDS copies, each encrypted for its member and posted through the relay.
 */

const SIZES = [
  { members: 5, samples: 30 },
  { members: 20, samples: 15 }
]
const PAUSE_MS = 500

interface Member {
  host: WebHostProcess
  key: string
  /** Text of each group message seen, and when. */
  arrived: Map<string, number>
}

async function waitFor(done: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

async function member(profile: string, relay: HushNodeProcess): Promise<Member> {
  const host = await WebHostProcess.start({ profile, staticPeers: [relay.enode] })
  const key = await host.createAccount('bench password')
  const m: Member = { host, key, arrived: new Map() }
  host.client.on('messages.upserted', ({ messages }: { messages: MessageChange[] }) => {
    const now = performance.now()
    for (const message of messages) if (message.status === 'received' && !message.system && !m.arrived.has(message.text)) m.arrived.set(message.text, now)
  })
  return m
}

async function measure(dir: string, relay: HushNodeProcess, size: number, samples: number): Promise<BenchResult[]> {
  const members: Member[] = []
  try {
    for (let i = 0; i < size; i++) members.push(await member(join(dir, `${size}-${i}`), relay))
    const [creator, ...others] = members as [Member, ...Member[]]
    const chat = await creator.host.call('groups.create', { name: `bench ${size}`, members: others.map((m) => m.key) })
    for (const m of others) {
      while (!(await m.host.call('chats.list', {})).some((c) => c.id === chat.id)) await new Promise((resolve) => setTimeout(resolve, 50))
      // On a loaded machine the answer can outlast the call timeout; the join still happens, so wait for it.
      await m.host.client.call('groups.accept', { chatId: chat.id })
      while (!(await m.host.call('groups.info', { chatId: chat.id })).joined) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const everyone = (text: string) => others.every((m) => m.arrived.has(text))
    // Joins travel to everyone; the warm-up opens each pairwise session both ways.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    await creator.host.call('messages.send', { chatId: chat.id, text: 'warm-up' })
    await waitFor(() => everyone('warm-up'), 'the warm-up')
    const times: number[] = []
    for (let i = 0; i < samples; i++) {
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
      const text = `sample ${i}`
      const started = performance.now()
      await creator.host.call('messages.send', { chatId: chat.id, text })
      await waitFor(() => everyone(text), text)
      times.push(Math.max(...others.map((m) => m.arrived.get(text) as number)) - started)
    }
    times.sort((a, b) => a - b)
    return [
      {
        name: `group of ${size}: send call until every member has it (median)`,
        value: percentile(times, 50),
        unit: 'ms',
        note: `${samples} messages ${PAUSE_MS} ms apart, ${size} web hosts through one relay, ${size - 1} MVDS copies each`
      },
      { name: `group of ${size}: send call until every member has it (p99)`, value: percentile(times, 99), unit: 'ms' }
    ]
  } finally {
    for (const m of members) await m.host.stop()
  }
}

export const suite: BenchSuite = {
  title: 'Private group delivery end to end (through a relay)',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'hush-bench-groups-'))
    const relay = await HushNodeProcess.start(['--listen', '127.0.0.1:0'])
    try {
      const results: BenchResult[] = []
      for (const { members, samples } of SIZES) {
        try {
          results.push(...(await measure(dir, relay, members, samples)))
        } catch (error) {
          // One size failing keeps the figures of the other.
          results.push({ name: `group of ${members}`, value: Number.NaN, unit: 'ms', note: `failed: ${error instanceof Error ? error.message : String(error)}` })
        }
      }
      return results
    } finally {
      await relay.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
