import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MessageChange } from '../src/shared/api'
import { HushNodeProcess } from '../test/integration/hush-node-process'
import { WebHostProcess } from '../test/integration/web-host-process'
import { percentile } from './measure'
import type { BenchResult, BenchSuite } from './result'

/*
 * Two web hosts (separate processes, from source) joined through one hush-node relay on loopback, driven
 * over their WebSocket API as the renderer drives them. Latency is measured in this process from the
 * send call to the recipient's messages.upserted event, one message at a time: at a conversation's pace
 * (a pause between messages) and back to back (each sent the moment the previous one arrived, which MVDS
 * once held to its 300 ms epochs and now flushes at once, within its flush budget). Throughput with many sends in flight, until the recipient has them
 * all and until the sender sees them all delivered.
 */

const LATENCY_SAMPLES = 40
const CONVERSATION_PAUSE_MS = 500
const BURST = 1000
const IN_FLIGHT = 50

interface Side {
  host: WebHostProcess
  key: string
  onUpsert: (messages: MessageChange[]) => void
}

async function side(profile: string, relay: HushNodeProcess): Promise<Side> {
  const host = await WebHostProcess.start({ profile, staticPeers: [relay.enode], fromSource: true })
  const key = await host.createAccount('bench password')
  const s: Side = { host, key, onUpsert: () => undefined }
  host.client.on('messages.upserted', ({ messages }) => {
    s.onUpsert(messages)
  })
  return s
}

async function measure(alice: Side, bob: Side): Promise<BenchResult[]> {
  // Both open the chat: a message from someone not added is a message request, not a chat message.
  await alice.host.call('chats.startOneToOne', { publicKey: bob.key })
  await bob.host.call('chats.startOneToOne', { publicKey: alice.key })
  const arrived = new Map<string, number>()
  const delivered = new Map<string, number>()
  bob.onUpsert = (messages) => {
    for (const m of messages) if (m.status === 'received' && !arrived.has(m.text)) arrived.set(m.text, performance.now())
  }
  alice.onUpsert = (messages) => {
    for (const m of messages) if (m.status === 'delivered' && !delivered.has(m.id)) delivered.set(m.id, performance.now())
  }
  const waitFor = async (done: () => boolean): Promise<void> => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 1))
  }

  // Warm-up both ways, so the session is established and messages run on the negotiated topic.
  await alice.host.call('messages.send', { chatId: bob.key, text: 'warm-up' })
  await waitFor(() => arrived.has('warm-up'))
  await bob.host.call('messages.send', { chatId: alice.key, text: 'warm-up reply' })
  await new Promise((resolve) => setTimeout(resolve, 500))

  const latencies = async (label: string, pauseMs: number): Promise<number[]> => {
    const samples: number[] = []
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
      const text = `${label} ${i}`
      const started = performance.now()
      await alice.host.call('messages.send', { chatId: bob.key, text })
      await waitFor(() => arrived.has(text))
      samples.push((arrived.get(text) as number) - started)
    }
    return samples.sort((a, b) => a - b)
  }
  const paced = await latencies('paced', CONVERSATION_PAUSE_MS)
  const backToBack = await latencies('back to back', 0)

  const started = performance.now()
  const ids: string[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < BURST) {
      const i = next++
      ids.push((await alice.host.call('messages.send', { chatId: bob.key, text: `burst ${i}` })).id)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  await waitFor(() => [...arrived.keys()].filter((t) => t.startsWith('burst ')).length === BURST)
  const received = performance.now() - started
  await waitFor(() => ids.every((id) => delivered.has(id)))
  const acked = performance.now() - started

  return [
    {
      name: '1:1 latency, send call to recipient event, conversation pace (median)',
      value: percentile(paced, 50),
      unit: 'ms',
      note: `${LATENCY_SAMPLES} messages ${CONVERSATION_PAUSE_MS} ms apart, two hosts through one relay`
    },
    { name: '1:1 latency, conversation pace (p99)', value: percentile(paced, 99), unit: 'ms' },
    { name: '1:1 latency, back to back (median)', value: percentile(backToBack, 50), unit: 'ms', note: 'MVDS flushes at once, within a flush budget (direct-sender.ts)' },
    { name: '1:1 latency, back to back (p99)', value: percentile(backToBack, 99), unit: 'ms' },
    { name: '1:1 throughput, sent until all received', value: (BURST * 1000) / received, unit: 'messages/s', note: `${BURST} messages, ${IN_FLIGHT} send calls in flight` },
    { name: '1:1 throughput, sent until all delivered (MVDS acks back)', value: (BURST * 1000) / acked, unit: 'messages/s' }
  ]
}

export const suite: BenchSuite = {
  title: 'Messenger end to end (1:1 through a relay)',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'hush-bench-messenger-'))
    const relay = await HushNodeProcess.start(['--listen', '127.0.0.1:0'])
    const sides: Side[] = []
    try {
      sides.push(await side(join(dir, 'alice'), relay), await side(join(dir, 'bob'), relay))
      return await measure(sides[0] as Side, sides[1] as Side)
    } finally {
      for (const s of sides) await s.host.stop()
      await relay.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
