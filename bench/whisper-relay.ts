/**
 * Relay throughput and latency of the Whisper node over real RLPx on 127.0.0.1.
 *  - Throughput: one `hush-node` child process relays; this process feeds it 300-byte envelopes in
 *    packets of 100 from a hand-driven peer and counts what a second hand-driven peer receives.
 *    The relay's own CPU time comes from /proc, so "per CPU-second" excludes feeder and sink.
 *  - Latency: two in-process WhisperNodes; one hop = postEnvelope() on A until B accepts it
 *    (pre-sealed, so mining is excluded), and via the child relay for a relayed hop.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { createInterface } from 'node:readline'
import { bytesToHex } from '@noble/hashes/utils.js'
import { initHashing, keccak256 } from '../src/main/core/primitives/keccak'
import { openRawPeer } from '../src/main/core/p2p/raw-peer'
import { topicToBloom } from '../src/main/core/whisper/bloom'
import { encodeEnvelope, type Envelope } from '../src/main/core/whisper/envelope'
import { WhisperNode } from '../src/main/core/whisper/node'
import { seal } from '../src/main/core/whisper/pow'
import { ShhCode, encodeRawList, encodeStatus, splitRawList } from '../src/main/core/whisper/shh-protocol'
import type { BenchResult, BenchSuite } from './result'

const ROOT = resolvePath(import.meta.dirname, '..')
const SHH = { name: 'shh', version: 6, length: 128 }
/** Status' later setting (spec §7); validation still hashes every envelope for its PoW. */
const MIN_POW = 0.00001
const TOPIC = Uint8Array.of(0x12, 0x34, 0x56, 0x78)
/** Latency probes use another topic, so the throughput sink (bloom = TOPIC) never counts them. */
const PROBE_TOPIC = Uint8Array.of(0x87, 0x65, 0x43, 0x21)
const ENVELOPES = 60_000
const PER_PACKET = 100
const LATENCY_SAMPLES = 400
const CLK_TCK = 100

let serial = 0
function envelopes(count: number, ttl: number, topic = TOPIC): Envelope[] {
  const expiry = Math.floor(Date.now() / 1000) + ttl
  return Array.from({ length: count }, () => {
    // Envelope data is ciphertext: random bytes, so snappy cannot shrink it (zeros would flatter the MACs).
    const data = randomBytes(300)
    new DataView(data.buffer).setUint32(0, ++serial)
    return seal({ expiry, ttl, topic, data }, { target: MIN_POW, workTimeMs: 1000 })
  })
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

async function startRelay(): Promise<{ child: ChildProcess; enode: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolvePath(ROOT, 'src/main/cli/hush-node.ts'), '--listen', '127.0.0.1:0', '--min-pow', String(MIN_POW)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const enode = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)))
  })
  return { child, enode }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

async function throughput(relayEnode: string, pid: number): Promise<{ perSecond: number; perCpuSecond: number }> {
  const sink = await openRawPeer(relayEnode, SHH)
  sink.protocol.send(ShhCode.Status, encodeStatus({ pow: 0, bloom: topicToBloom(TOPIC), light: false }))
  const feeder = await openRawPeer(relayEnode, SHH)
  feeder.protocol.send(ShhCode.Status, encodeStatus({ pow: 0, bloom: null, light: false }))
  const packets: Uint8Array[] = []
  const all = envelopes(ENVELOPES, 600).map(encodeEnvelope)
  for (let i = 0; i < all.length; i += PER_PACKET) packets.push(encodeRawList(all.slice(i, i + PER_PACKET)))
  // Let both handshakes settle so the relay knows the sink before the first packet.
  await new Promise((r) => setTimeout(r, 300))
  let received = 0
  const done = new Promise<void>((resolve) =>
    sink.protocol.messages.on('message', (code, data) => {
      if (code !== ShhCode.Messages) return
      received += splitRawList(data, 'relay bench').length
      if (received >= ENVELOPES) resolve()
    })
  )
  const cpu0 = cpuSeconds(pid)
  const t0 = performance.now()
  for (const p of packets) feeder.protocol.send(ShhCode.Messages, p)
  await done
  const wall = (performance.now() - t0) / 1000
  const cpu = cpuSeconds(pid) - cpu0
  await Promise.all([sink.close(), feeder.close()])
  return { perSecond: Math.round(ENVELOPES / wall), perCpuSecond: Math.round(ENVELOPES / cpu) }
}

async function latency(from: WhisperNode, to: WhisperNode): Promise<number[]> {
  const samples: number[] = []
  const pending = new Map<string, number>()
  let arrived: (() => void) | null = null
  to.on('envelope', (p) => {
    const start = pending.get(p.hashHex)
    if (start === undefined) return
    samples.push(performance.now() - start)
    arrived?.()
  })
  for (const e of envelopes(LATENCY_SAMPLES, 60, PROBE_TOPIC)) {
    const hashHex = bytesToHex(keccak256(encodeEnvelope(e)))
    const got = new Promise<void>((resolve) => (arrived = resolve))
    pending.set(hashHex, performance.now())
    from.postEnvelope(e)
    await got
    await new Promise((r) => setTimeout(r, 2))
  }
  return samples.sort((a, b) => a - b)
}

async function connectedPair(via?: string): Promise<[WhisperNode, WhisperNode]> {
  const a = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: MIN_POW })
  const b = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: MIN_POW })
  await Promise.all([a.start(), b.start()])
  const ready = Promise.all([
    new Promise((r) => a.once('peer:added', r)),
    new Promise((r) => b.once('peer:added', r))
  ])
  a.addPeer(via ?? b.enode)
  if (via !== undefined) b.addPeer(via)
  await ready
  return [a, b]
}

export const suite: BenchSuite = {
  title: 'Whisper relay (RLPx on loopback)',
  async run(): Promise<BenchResult[]> {
    await initHashing()
    const results: BenchResult[] = []
    const relay = await startRelay()
    const pid = relay.child.pid as number
    try {
      // Latency first: after the throughput run the relay holds 60k envelopes it would sync to new peers.
      const [a, b] = await connectedPair()
      const direct = await latency(a, b)
      await Promise.all([a.stop(), b.stop()])
      const round = (x: number): number => Math.round(x * 100) / 100
      const n = `${LATENCY_SAMPLES} pre-sealed envelopes posted one at a time between two in-process nodes`
      results.push({ name: 'One-hop latency, median', value: round(percentile(direct, 50)), unit: 'ms', target: '≤ 12 ms (geth ≈ 120 ms)', note: n })
      results.push({ name: 'One-hop latency, p99', value: round(percentile(direct, 99)), unit: 'ms', target: '≤ 30 ms (geth ≈ 275 ms)', note: n })

      const [c, d] = await connectedPair(relay.enode)
      const relayed = await latency(c, d)
      await Promise.all([c.stop(), d.stop()])
      const m = 'A → hush-node relay → B, including the relay’s batching delay'
      results.push({ name: 'Two-hop latency through a relay, median', value: round(percentile(relayed, 50)), unit: 'ms', note: m })
      results.push({ name: 'Two-hop latency through a relay, p99', value: round(percentile(relayed, 99)), unit: 'ms', note: m })
      const { perSecond, perCpuSecond } = await throughput(relay.enode, pid)
      const note = `${ENVELOPES} envelopes, 300-byte data, ${PER_PACKET} per packet, fed and drained by in-process raw peers; relay = hush-node child process, min PoW ${MIN_POW}`
      results.push({ name: 'Validated envelopes relayed per second by one node', value: perSecond, unit: 'envelopes/s', target: 'geth v1.9.20: ~40,000/s', note })
      results.push({ name: 'Envelopes relayed per CPU-second of the relay', value: perCpuSecond, unit: 'envelopes/CPU-s', target: 'match geth per CPU-second', note: 'relay CPU time (user+sys) from /proc' })
    } finally {
      relay.child.kill('SIGTERM')
    }
    return results
  }
}
