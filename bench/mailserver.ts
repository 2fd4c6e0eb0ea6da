import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { initHashing } from '../src/main/core/primitives/keccak'
import { topicToBloom } from '../src/main/core/whisper/bloom'
import { encodeEnvelope, envelopeHash } from '../src/main/core/whisper/envelope'
import { Mailserver } from '../src/main/core/whisper/mailserver'
import { MailserverArchive } from '../src/main/core/whisper/mailserver-archive'
import type { HistoryQuery } from '../src/main/core/whisper/mailserver-codec'
import { MailserverClient } from '../src/main/core/whisper/mailserver-client'
import { WhisperNode } from '../src/main/core/whisper/node'
import type { BenchResult, BenchSuite } from './result'

const TOPICS = [Uint8Array.of(0xcd, 0x42, 0x37, 0x60), Uint8Array.of(0xf8, 0x94, 0x6a, 0xac)]
const ARCHIVED = 20_000

async function archiveFigures(dir: string): Promise<BenchResult[]> {
  const archive = await MailserverArchive.open(join(dir, 'archive'))
  const now = Math.floor(Date.now() / 1000)
  let start = performance.now()
  for (let i = 0; i < ARCHIVED; i++) {
    const envelope = { expiry: now - 3600 + Math.floor(i / 10) + 50, ttl: 50, topic: TOPICS[i % 2] as Uint8Array, data: utf8ToBytes(`x${i}`.padEnd(300, '.')), nonce: BigInt(i) }
    const encoded = encodeEnvelope(envelope)
    await archive.put({ envelope, encoded, hash: envelopeHash(encoded) })
  }
  const writes = (ARCHIVED * 1000) / (performance.now() - start)
  const query: HistoryQuery = { lower: now - 7200, upper: now, bloom: topicToBloom(TOPICS[0] as Uint8Array), limit: 1000, cursor: new Uint8Array(0) }
  start = performance.now()
  let served = 0
  do {
    const page = await archive.query(query)
    served += page.envelopes.length
    query.cursor = page.cursor
  } while (query.cursor.length > 0)
  const reads = (served * 1000) / (performance.now() - start)
  await archive.close()
  return [
    { name: 'archive writes (one put per accepted envelope, 300-byte data)', value: Math.round(writes), unit: 'envelopes/s' },
    { name: 'archive paged query, half the topics match, pages of 1000', value: Math.round(reads), unit: 'envelopes/s', note: `${served} of ${ARCHIVED} served` }
  ]
}

async function endToEnd(dir: string): Promise<BenchResult[]> {
  const serverNode = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: 0.0001 })
  const clientNode = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: 0.0001 })
  await serverNode.start()
  await clientNode.start()
  const server = new Mailserver({ node: serverNode, dataDir: dir, password: 'status-offline-inbox' })
  await server.start()
  const key = new Uint8Array(32).fill(3)
  const count = 3000
  for (let i = 0; i < count; i++) {
    await serverNode.post({ payload: utf8ToBytes(`m${i}`), topic: TOPICS[0] as Uint8Array, key: { symKey: key }, ttl: 3600, powTarget: 0.0001 })
  }
  await server.prune()
  const added = new Promise((resolve) => clientNode.once('peer:added', resolve))
  clientNode.addPeer(serverNode.enode)
  await added
  let delivered = 0
  clientNode.subscribe({ topics: [TOPICS[0] as Uint8Array], key: { symKey: key }, allowP2P: true }, () => delivered++)
  const client = new MailserverClient({ node: clientNode, timeoutMs: 30_000 })
  const now = Math.floor(Date.now() / 1000)
  const start = performance.now()
  const result = await client.request({ peerId: serverNode.id, from: now - 3600, to: now + 10, topics: [TOPICS[0] as Uint8Array], limit: 1000 })
  const ms = performance.now() - start
  client.close()
  await server.stop()
  await clientNode.stop()
  await serverNode.stop()
  return [
    {
      name: 'history request over RLPx loopback (MessagesRequest, pages of 1000), received + decrypted by filters',
      value: Math.round((result.envelopes * 1000) / ms),
      unit: 'envelopes/s',
      note: `${result.envelopes} envelopes in ${result.pages} pages, ${Math.round(ms)} ms; ${delivered} filter deliveries incl. normal relay`
    }
  ]
}

export const suite: BenchSuite = {
  title: 'Mailserver (archive and history requests)',
  async run(): Promise<BenchResult[]> {
    await initHashing()
    const dir = await mkdtemp(join(tmpdir(), 'hush-bench-ms-'))
    try {
      return [...(await archiveFigures(dir)), ...(await endToEnd(join(dir, 'e2e')))]
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}

