/**
 * The attacker of the abuse bench, run as its own process so its CPU never delays the well-behaved
 * peers being measured: `tsx bench/abuse/attacker.ts PHASE ENODE DURATION_MS`. It builds its packet,
 * prints `{"ready":true}`, then attacks for the given time, reconnecting under a fresh node key
 * whenever it is dropped, and prints one JSON line per observation, then `{"done":true}`:
 *   {"closedMs":n,"kind":"idle"|"garbage"}   a raw socket closed by the node, ms after it connected / sent garbage
 *   {"disconnectMs":n,"reason":s}            an RLPx attacker dropped, ms after its first violating packet was written
 */
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { initHashing } from '../../src/main/core/primitives/keccak'
import { parseEnode } from '../../src/main/core/p2p/enode'
import { openRawPeer } from '../../src/main/core/p2p/raw-peer'
import { encodeEnvelope } from '../../src/main/core/whisper/envelope'
import { powOf, seal } from '../../src/main/core/whisper/pow'
import { ShhCode, encodeRawList, encodeStatus } from '../../src/main/core/whisper/shh-protocol'

const SHH = { name: 'shh', version: 6, length: 128 }
const TOPIC = Uint8Array.of(0xde, 0xad, 0xbe, 0xef)
const MiB = 1024 * 1024
const [phase = '', enodeUrl = '', durationText = '0'] = process.argv.slice(2)
const target = parseEnode(enodeUrl)
/** Set once the attack starts. */
let deadline = Number.POSITIVE_INFINITY

function start(): void {
  deadline = performance.now() + Number(durationText)
  report({ ready: true })
}

function report(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function openSocket(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(target.port, target.host, () => resolve(socket))
    socket.on('error', () => {})
  })
}

/** Idle sockets that never say a word, and a stream of sockets whose Auth is garbage. */
async function sockets(): Promise<void> {
  start()
  const idle = await Promise.all(Array.from({ length: 60 }, () => openSocket()))
  const opened = performance.now()
  const idleClosed = idle.map(
    (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve(report({ kind: 'idle', closedMs: performance.now() - opened }))))
  )
  const garbage: Array<Promise<void>> = []
  while (performance.now() < deadline) {
    const socket = await openSocket()
    const sent = performance.now()
    garbage.push(new Promise((resolve) => socket.once('close', () => resolve(report({ kind: 'garbage', closedMs: performance.now() - sent })))))
    // Long enough for the node to read an Auth, whose first two bytes claim 64 + 2 bytes: it fails to decrypt.
    const bytes = randomBytes(400)
    bytes[0] = 0
    bytes[1] = 64
    socket.write(bytes)
    await sleep(100)
  }
  await Promise.all([...idleClosed, ...garbage])
}

/** Envelopes whose PoW is far below the node's minimum, so it must hash each to find out. */
function invalidPacket(): Uint8Array {
  const expiry = Math.floor(Date.now() / 1000) + 50
  const envelopes: Uint8Array[] = []
  while (envelopes.length < 1000) {
    const e = { expiry, ttl: 50, topic: TOPIC, data: randomBytes(300), nonce: BigInt(envelopes.length) }
    if (powOf(e) < 0.001) envelopes.push(encodeEnvelope(e))
  }
  return encodeRawList(envelopes)
}

/** 300,000 envelopes (small, distinct, unsealed) in one packet: one encoding, its 4 data bytes numbered. */
function countPacket(): Uint8Array {
  const template = encodeEnvelope({ expiry: Math.floor(Date.now() / 1000) + 50, ttl: 50, topic: TOPIC, data: Uint8Array.of(1, 1, 1, 1), nonce: 0n })
  // The nonce 0 is the last byte (0x80); the data's 4 bytes come right before it.
  const dataAt = template.length - 5
  return encodeRawList(
    Array.from({ length: 300_000 }, (_, i) => {
      const e = template.slice()
      new DataView(e.buffer).setUint32(dataAt, i + 0x01010101)
      return e
    })
  )
}

/** Copies of one valid envelope (TTL 3600, sealed to the node's PoW) filling `bytes`. */
function copiesPacket(minPow: number, bytes: number): Uint8Array {
  const e = encodeEnvelope(
    seal({ expiry: Math.floor(Date.now() / 1000) + 3600, ttl: 3600, topic: TOPIC, data: randomBytes(400) }, { target: minPow, workTimeMs: 60_000 })
  )
  return encodeRawList(Array.from({ length: Math.floor(bytes / e.length) }, () => e))
}

/**
 * Connect, handshake, send `packet` until dropped (small packets again each time the last one has left;
 * a multi-megabyte one once, so building the next does not delay noticing the drop); again under a new
 * key until the time is up.
 */
async function flood(makePacket: () => Uint8Array, fresh: boolean): Promise<void> {
  let packet = makePacket()
  start()
  while (performance.now() < deadline) {
    const raw = await openRawPeer(enodeUrl, SHH)
    raw.protocol.send(ShhCode.Status, encodeStatus({ pow: 0, bloom: null, light: false }))
    await sleep(50)
    const dropped: { at: number | null } = { at: null }
    const removed = raw.removed.then((removal) => {
      dropped.at = performance.now()
      return removal
    })
    // Timed from when the first packet is handed to the socket: our own framing and encryption of it
    // is not the node's delay.
    raw.protocol.send(ShhCode.Messages, packet)
    const first = performance.now()
    while (dropped.at === null && performance.now() < deadline) {
      await sleep(5)
      if (packet.length < MiB && raw.hostPeer.pendingWrite() === 0) raw.protocol.send(ShhCode.Messages, packet)
    }
    if (dropped.at !== null) report({ disconnectMs: dropped.at - first, reason: (await removed).name })
    await raw.close()
    if (fresh) packet = makePacket()
  }
}

await initHashing()
if (phase === 'sockets') await sockets()
else if (phase === 'invalid') await flood(invalidPacket, true)
else if (phase === 'count') await flood(countPacket, false)
else if (phase === 'copies') await flood(() => copiesPacket(Number(process.env.HUSH_MIN_POW ?? '0.002'), 8 * MiB), false)
else if (phase === 'copies-1mib') await flood(() => copiesPacket(Number(process.env.HUSH_MIN_POW ?? '0.002'), MiB - 1024), false)
else throw new Error(`unknown phase ${phase}`)
report({ done: true })
process.exit(0)
