/**
 * A relay under attack, over real RLPx on 127.0.0.1. The node under test is a `hush-node` child
 * process (its RSS read from /proc); two well-behaved in-process WhisperNodes are its peers and
 * keep sending each other pre-sealed envelopes through it, one every 20 ms, while an attacker child
 * process (bench/abuse/attacker.ts) runs one phase after another. Per phase: the latency from
 * one good peer's post to the other's acceptance (one hop through the node under attack), envelopes
 * they lost, the node's peak RSS, and how quickly the node got rid of the attacker.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve as resolvePath } from 'node:path'
import { createInterface } from 'node:readline'
import { initHashing } from '../src/main/core/primitives/keccak'
import { encodeEnvelope, envelopeHash, type Envelope } from '../src/main/core/whisper/envelope'
import { WhisperNode } from '../src/main/core/whisper/node'
import { seal } from '../src/main/core/whisper/pow'
import { percentile } from './measure'
import type { BenchResult, BenchSuite } from './result'

const ROOT = resolvePath(import.meta.dirname, '..')
/** Status' setting: the node checks every envelope's PoW against it. */
const MIN_POW = 0.002
const PROBE_TOPIC = Uint8Array.of(0x70, 0x72, 0x6f, 0x62)
const PROBE_EVERY_MS = 20
/** How long a probe may still arrive after its phase before it counts as lost. */
const GRACE_MS = 3000

interface Phase {
  name: string
  /** Attacker phase (bench/abuse/attacker.ts), or null for the quiet baseline. */
  attack: string | null
  durationMs: number
  what: string
}

const PHASES: Phase[] = [
  { name: 'quiet', attack: null, durationMs: 4000, what: 'no attacker' },
  { name: 'sockets', attack: 'sockets', durationMs: 12_000, what: '60 idle TCP sockets and a garbage Auth every 100 ms' },
  { name: 'invalid', attack: 'invalid', durationMs: 8000, what: 'packets of 1,000 envelopes below the minimum PoW, reconnecting under new keys' },
  { name: 'count', attack: 'count', durationMs: 8000, what: 'packets of 300,000 envelopes, reconnecting under new keys' },
  { name: 'copies', attack: 'copies', durationMs: 8000, what: '8 MiB packets of copies of one valid TTL-3600 envelope, reconnecting under new keys' },
  {
    name: 'copies within the size limit',
    attack: 'copies-1mib',
    durationMs: 8000,
    what: 'the same in packets just under the 1 MiB packet limit, so the node reads them and meets the repeats'
  }
]

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

async function startNodeUnderTest(): Promise<{ child: ChildProcess; enode: string }> {
  const child = spawn(process.execPath, [resolvePath(ROOT, 'out/main/hush-node.js'), '--listen', '127.0.0.1:0', '--min-pow', String(MIN_POW)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const enode = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`hush-node exited with ${code}`)))
  })
  lines.on('line', () => {}) // keep draining its event lines
  return { child, enode }
}

interface AttackReport {
  closed: Array<{ kind: string; closedMs: number }>
  disconnects: Array<{ disconnectMs: number; reason: string }>
}

/** Starts the attacker; `ready` settles when its packets are built and the attack begins, `report` when it ends. */
function runAttacker(phase: string, enode: string, durationMs: number): { ready: Promise<void>; report: Promise<AttackReport> } {
  const child = spawn(process.execPath, ['--import', 'tsx', resolvePath(ROOT, 'bench/abuse/attacker.ts'), phase, enode, String(durationMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HUSH_MIN_POW: String(MIN_POW) }
  })
  const report: AttackReport = { closed: [], disconnects: [] }
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  let started = (): void => {}
  const ready = new Promise<void>((resolve) => (started = resolve))
  lines.on('line', (line) => {
    const item = JSON.parse(line) as { ready?: boolean; closedMs?: number; kind?: string; disconnectMs?: number; reason?: string }
    if (item.ready === true) started()
    if (item.closedMs !== undefined) report.closed.push({ kind: item.kind ?? '', closedMs: item.closedMs })
    if (item.disconnectMs !== undefined) report.disconnects.push({ disconnectMs: item.disconnectMs, reason: item.reason ?? '' })
  })
  const ended = new Promise<AttackReport>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(report) : reject(new Error(`attacker (${phase}) exited with ${code}`))))
  )
  return { ready, report: ended }
}

/** Sealed before their phase starts, so mining never delays the measurement. */
function probes(count: number): Envelope[] {
  const expiry = Math.floor(Date.now() / 1000) + 120
  return Array.from({ length: count }, () => seal({ expiry, ttl: 120, topic: PROBE_TOPIC, data: randomBytes(300) }, { target: MIN_POW, workTimeMs: 5000 }))
}

/** Good peers take turns posting a probe every 20 ms until `until` resolves; returns latencies and losses. */
async function probeTraffic(a: WhisperNode, b: WhisperNode, stock: Envelope[], until: Promise<unknown>): Promise<{ latencies: number[]; sent: number; lost: number }> {
  // Each probe is awaited at the other peer only (the sender's own node accepts it at once).
  const pending = new Map<string, { start: number; to: WhisperNode }>()
  const latencies: number[] = []
  const arrivedAt = (node: WhisperNode) => (p: { hashHex: string }): void => {
    const probe = pending.get(p.hashHex)
    if (probe === undefined || probe.to !== node) return
    pending.delete(p.hashHex)
    latencies.push(performance.now() - probe.start)
  }
  const atA = arrivedAt(a)
  const atB = arrivedAt(b)
  a.on('envelope', atA)
  b.on('envelope', atB)
  const state = { done: false }
  void until.then(() => (state.done = true))
  let sent = 0
  while (!state.done && sent < stock.length) {
    const e = stock[sent] as Envelope
    const [from, to] = sent % 2 === 0 ? [a, b] : [b, a]
    pending.set(Buffer.from(envelopeHash(encodeEnvelope(e))).toString('hex'), { start: performance.now(), to })
    from.postEnvelope(e)
    sent++
    await new Promise((r) => setTimeout(r, PROBE_EVERY_MS))
  }
  const graceEnd = performance.now() + GRACE_MS
  while (pending.size > 0 && performance.now() < graceEnd) await new Promise((r) => setTimeout(r, 50))
  a.off('envelope', atA)
  b.off('envelope', atB)
  return { latencies: latencies.sort((x, y) => x - y), sent, lost: pending.size }
}

async function goodPeers(enode: string): Promise<[WhisperNode, WhisperNode]> {
  const make = (): WhisperNode => new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: MIN_POW, staticPeers: [enode] })
  const a = make()
  const b = make()
  const ready = Promise.all([a, b].map((n) => new Promise((r) => n.once('peer:added', r))))
  await Promise.all([a.start(), b.start()])
  await ready
  return [a, b]
}

const round = (x: number): number => Math.round(x * 10) / 10

export const suite: BenchSuite = {
  title: 'Relay under abuse (RLPx on loopback)',
  async run(): Promise<BenchResult[]> {
    await initHashing()
    const results: BenchResult[] = []
    const { child, enode } = await startNodeUnderTest()
    const pid = child.pid as number
    const [a, b] = await goodPeers(enode)
    try {
      for (const phase of PHASES) {
        const stock = probes(Math.ceil(phase.durationMs / PROBE_EVERY_MS) + 50)
        const attacker = phase.attack === null ? null : runAttacker(phase.attack, enode, phase.durationMs)
        await attacker?.ready
        let peakRss = rssMiB(pid)
        const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 100)
        const attack =
          attacker?.report ?? new Promise<AttackReport>((r) => setTimeout(() => r({ closed: [], disconnects: [] }), phase.durationMs))
        const traffic = await probeTraffic(a, b, stock, attack)
        const report = await attack
        clearInterval(sampler)
        const p = `${phase.name}: `
        const note = `${phase.what}; ${traffic.sent} probes`
        results.push({ name: `${p}good peers' latency through the node, median`, value: round(percentile(traffic.latencies, 50)), unit: 'ms', note })
        results.push({ name: `${p}good peers' latency through the node, p99`, value: round(percentile(traffic.latencies, 99)), unit: 'ms', target: '≤ 100 ms' })
        results.push({ name: `${p}good envelopes lost`, value: traffic.lost, unit: 'envelopes', target: '0' })
        results.push({ name: `${p}node RSS, peak`, value: round(peakRss), unit: 'MiB', target: '≤ 300 MiB' })
        if (report.disconnects.length > 0) {
          const times = report.disconnects.map((d) => d.disconnectMs).sort((x, y) => x - y)
          const reasons = [...new Set(report.disconnects.map((d) => d.reason))].join(', ')
          const dropped = `${times.length} attacking connections, each dropped (${reasons}); median ${round(percentile(times, 50))} ms`
          results.push({ name: `${p}attacker dropped after its first violating packet, worst`, value: round(times[times.length - 1] as number), unit: 'ms', target: '≤ 1000 ms', note: dropped })
        }
        const garbage = report.closed.filter((c) => c.kind === 'garbage')
        if (garbage.length > 0) {
          results.push({ name: `${p}garbage-Auth socket closed after, worst`, value: round(Math.max(...garbage.map((c) => c.closedMs))), unit: 'ms', target: '≤ 1000 ms', note: `${garbage.length} sockets` })
        }
        const idle = report.closed.filter((c) => c.kind === 'idle')
        if (idle.length > 0) {
          const refused = idle.filter((c) => c.closedMs < 1000).length
          results.push({ name: `${p}never-handshaking socket closed after, worst`, value: round(Math.max(...idle.map((c) => c.closedMs)) / 1000), unit: 's', target: '≤ 15 s', note: `${idle.length} idle sockets, ${refused} refused at once by the pending caps` })
        }
      }
    } finally {
      await Promise.all([a.stop(), b.stop()])
      child.kill('SIGTERM')
    }
    return results
  }
}

