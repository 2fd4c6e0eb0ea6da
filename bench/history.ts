import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { create, toBinary } from '@bufbuild/protobuf'
import { createClient } from '../src/shared/api/client'
import type { MessageChange } from '../src/shared/api'
import { inProcessBridge } from '../src/main/core/api/in-process'
import { HushCore } from '../src/main/core/host'
import { silentLogger } from '../src/main/core/log/logger'
import { createNetwork } from '../src/main/core/network'
import { keccak256 } from '../src/main/core/primitives/keccak'
import { generatePrivateKey, secureRandom } from '../src/main/core/primitives/secp256k1'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from '../src/main/core/protocol/gen/protobuf/chat_message_pb'
import { publicChatSymKey, publicChatTopic } from '../src/main/core/protocol/topics'
import { MessageKind, wrapMessage } from '../src/main/core/protocol/wrapper'
import { encodeEnvelope } from '../src/main/core/whisper/envelope'
import { MailserverArchive } from '../src/main/core/whisper/mailserver-archive'
import { sealMessage } from '../src/main/core/whisper/message'
import { HushNodeProcess } from '../test/integration/hush-node-process'
import { percentile } from './measure'
import type { BenchResult, BenchSuite } from './result'

/*
 * A person joins a public chat whose mailserver holds 10,000 messages from 20 authors (the last ~50 min).
 * The mailserver is a hush-node process on loopback, its archive seeded beforehand; the person's host
 * (accounts, messenger, store) runs in this process, driven through the typed API as the renderer drives
 * it, so its event loop can be watched: lag is sampled at 1 ms resolution from the join call until the
 * last message's messages.upserted event, and a cheap serial call (chats.markRead on another chat) is
 * made every 100 ms meanwhile to see whether the API queue stays responsive.
 */

const CHAT = 'bench-history'
const OTHER_CHAT = 'bench-quiet'
const MESSAGES = 10_000
const AUTHORS = 20
const FAST_KDF = { n: 1024, r: 8, p: 1 }

async function seedArchive(dataDir: string, nowMs: number): Promise<void> {
  const archive = await MailserverArchive.open(join(dataDir, 'mailserver-archive'))
  const symKey = await publicChatSymKey(CHAT)
  const topic = publicChatTopic(CHAT)
  const authors = Array.from({ length: AUTHORS }, () => generatePrivateKey(secureRandom))
  try {
    for (let i = 0; i < MESSAGES; i++) {
      const sentMs = nowMs - 5_000 - i * 300
      const chat = create(ChatMessageSchema, {
        clock: BigInt(sentMs),
        timestamp: BigInt(sentMs),
        text: `history message ${i} `.padEnd(120, 'x'),
        chatId: CHAT,
        messageType: ChatMessage_MessageType.PUBLIC_GROUP,
        contentType: ChatMessage_ContentType.TEXT_PLAIN
      })
      const author = authors[i % AUTHORS] as Uint8Array
      const envelope = sealMessage({
        payload: wrapMessage(toBinary(ChatMessageSchema, chat), MessageKind.CHAT_MESSAGE, author),
        topic,
        ttl: 15,
        powTarget: 0,
        workTimeMs: 0,
        key: { symKey },
        signWith: author,
        now: () => sentMs
      })
      const encoded = encodeEnvelope(envelope)
      await archive.put({ envelope, encoded, hash: keccak256(encoded) })
    }
  } finally {
    await archive.close()
  }
}

export const suite: BenchSuite = {
  title: 'History at speed (join a public chat whose mailserver holds 10,000 messages)',
  async run(): Promise<BenchResult[]> {
    const dirs = await Promise.all([mkdtemp(join(tmpdir(), 'hush-bench-ms-')), mkdtemp(join(tmpdir(), 'hush-bench-host-'))])
    const [mailDir, profileDir] = dirs
    let relay: HushNodeProcess | null = null
    let core: HushCore | null = null
    try {
      const seedStart = performance.now()
      await seedArchive(mailDir!, Date.now())
      const seedSeconds = (performance.now() - seedStart) / 1000
      relay = await HushNodeProcess.start(['--listen', '127.0.0.1:0', '--mailserver', '--data-dir', mailDir!, '--mailserver-password', 'status-offline-inbox'])

      const network = createNetwork({ listen: '127.0.0.1:0', staticPeers: [relay.enode], bootnodes: [] }, silentLogger)
      core = new HushCore({
        profileDir: profileDir!,
        runtime: 'in-process',
        version: 'bench',
        log: silentLogger,
        network,
        kdf: FAST_KDF,
        defaultNetwork: { staticPeers: [], bootnodes: [], mailservers: [relay.enode] }
      })
      await core.start()
      const client = createClient(inProcessBridge(core.dispatch, core.events))
      const value = async <T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T> => {
        const r = await result
        if (!r.ok) throw new Error(r.error.message)
        return r.value
      }
      const firstHistoryDone = new Promise<void>((resolve) => {
        client.on('history.state', ({ state }) => {
          if (state === 'done') resolve()
        })
      })
      const [candidate] = await value(client.call('accounts.candidates', { count: 1 }))
      await value(client.call('accounts.create', { candidateId: candidate!.candidateId, password: 'bench password' }))
      await firstHistoryDone
      await value(client.call('chats.joinPublic', { name: OTHER_CHAT }))

      const shown = new Set<string>()
      const arrivals: number[] = []
      client.on('messages.upserted', ({ messages }: { messages: MessageChange[] }) => {
        const at = performance.now()
        for (const m of messages) {
          if (m.chatId !== CHAT || m.status !== 'received' || shown.has(m.id)) continue
          shown.add(m.id)
          arrivals.push(at)
        }
      })
      const lag = monitorEventLoopDelay({ resolution: 1 })
      const calls: number[] = []
      const probing = { stop: false }
      const prober = (async () => {
        while (!probing.stop) {
          await new Promise((resolve) => setTimeout(resolve, 100))
          const t = performance.now()
          await value(client.call('chats.markRead', { chatId: OTHER_CHAT }))
          calls.push(performance.now() - t)
        }
      })()
      lag.enable()
      const started = performance.now()
      await value(client.call('chats.joinPublic', { name: CHAT }))
      const deadline = started + 300_000
      while (shown.size < MESSAGES && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
      const allMs = performance.now() - started
      lag.disable()
      probing.stop = true
      await prober
      if (shown.size < MESSAGES) throw new Error(`only ${shown.size} of ${MESSAGES} messages arrived within 300 s`)
      const first = (arrivals[0] as number) - started
      const thousandth = (arrivals[999] as number) - started
      const rate = MESSAGES / ((arrivals[MESSAGES - 1]! - arrivals[0]!) / 1000)
      const sortedCalls = calls.sort((a, b) => a - b)
      const note = `${AUTHORS} authors, 120-char texts; mailserver: hush-node process; host in this process; archive seeded in ${seedSeconds.toFixed(1)} s`
      return [
        { name: 'join a public chat with 10,000 messages at the mailserver: all in the API (messages.upserted)', value: allMs / 1000, unit: 's', target: 'issue 15: ≤ 3 s', note },
        { name: 'same, first message shown', value: first, unit: 'ms' },
        { name: 'same, 1,000th message shown', value: thousandth, unit: 'ms' },
        { name: 'same, messages shown per second (first to last)', value: rate, unit: 'msg/s' },
        { name: 'event-loop lag in the host while receiving, p99', value: lag.percentile(99) / 1e6, unit: 'ms', target: 'issue 15: ≤ 20 ms (at 2,000 msg/s)', note: `at the rate above; max ${(lag.max / 1e6).toFixed(0)} ms` },
        { name: 'a serial API call (chats.markRead) while receiving, median', value: percentile(sortedCalls, 50), unit: 'ms', note: `${sortedCalls.length} calls, one per 100 ms` },
        { name: 'a serial API call (chats.markRead) while receiving, p99', value: percentile(sortedCalls, 99), unit: 'ms' }
      ]
    } finally {
      await core?.stop()
      await relay?.stop()
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
    }
  }
}
