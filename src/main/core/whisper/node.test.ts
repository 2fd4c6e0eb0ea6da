import { RLP } from '@ethereumjs/rlp'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keccak256 } from '../primitives/keccak'
import { openRawPeer, type RawPeer } from '../p2p/raw-peer'
import { topicToBloom } from './bloom'
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope'
import { WhisperNode, type WhisperNodeOptions } from './node'
import { sealMessage } from './message'
import { powOf, seal } from './pow'
import { ShhCode, encodePowBits, encodeRawList, encodeStatus, splitRawList } from './shh-protocol'

const SHH = { name: 'shh', version: 6, length: 128 }
const TOPIC_A = Uint8Array.of(0xaa, 0, 0, 0)
const TOPIC_B = Uint8Array.of(0xbb, 1, 0, 0)
const MIN_POW = 0.001
const FULL_STATUS = encodeStatus({ pow: 0, bloom: null, light: false })

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

async function startNode(options: WhisperNodeOptions = {}): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: MIN_POW, ...options })
  await node.start()
  cleanup.push(() => node.stop())
  return node
}

async function connectRaw(node: WhisperNode, status: Uint8Array | null = FULL_STATUS): Promise<RawPeer> {
  const raw = await openRawPeer(node.enode, SHH)
  cleanup.push(() => raw.close())
  if (status !== null) raw.protocol.send(ShhCode.Status, status)
  return raw
}

/** Connected and handshaken: the node has announced the raw peer. */
async function handshaken(node: WhisperNode, status: Uint8Array = FULL_STATUS): Promise<RawPeer> {
  const added = new Promise((resolve) => node.once('peer:added', resolve))
  const raw = await connectRaw(node, status)
  await added
  return raw
}

let counter = 0
function envelope(opts: { topic?: Uint8Array; ttl?: number; sentOffset?: number; size?: number; pow?: number } = {}): {
  envelope: Envelope
  raw: Uint8Array
  hashHex: string
} {
  const ttl = opts.ttl ?? 50
  const sent = Math.floor(Date.now() / 1000) + (opts.sentOffset ?? 0)
  const data = new Uint8Array(opts.size ?? 64).fill(++counter & 0xff)
  data[0] = counter >> 8
  const e = seal(
    { expiry: sent + ttl, ttl, topic: opts.topic ?? TOPIC_A, data },
    { target: opts.pow ?? MIN_POW * 2, workTimeMs: 5000 }
  )
  const raw = encodeEnvelope(e)
  return { envelope: e, raw, hashHex: bytesToHex(keccak256(raw)) }
}

/** An envelope with lo ≤ PoW < hi (lo = 0: unsealed). */
function weakEnvelope(hi: number, lo = 0): { raw: Uint8Array; hashHex: string } {
  for (;;) {
    const e = envelope({ pow: lo })
    const pow = powOf(e.envelope)
    if (pow >= lo && pow < hi) return e
  }
}

function accepted(node: WhisperNode, hashHex: string): Promise<void> {
  return new Promise((resolve) =>
    node.on('envelope', (p) => {
      if (p.hashHex === hashHex) resolve()
    })
  )
}

function nodeError(node: WhisperNode): Promise<string> {
  return new Promise((resolve) => node.once('peer:error', ({ error }) => resolve(error.message)))
}

/** Hashes of every envelope the raw peer has received in code-1 packets so far. */
function receivedHashes(raw: RawPeer): string[] {
  return raw.protocol.received
    .filter((m) => m.code === ShhCode.Messages)
    .flatMap((m) => splitRawList(m.data, 'test').map((e) => bytesToHex(keccak256(e))))
}

/** Waits until the raw peer has received the envelope, failing after `timeoutMs` rather than hanging. */
async function receives(raw: RawPeer, hashHex: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!receivedHashes(raw).includes(hashHex)) {
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`raw peer did not receive envelope ${hashHex} within ${timeoutMs} ms`)
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([raw.next(ShhCode.Messages), new Promise((resolve) => (timer = setTimeout(resolve, left)))])
    clearTimeout(timer)
  }
}

async function expectDisconnect(node: WhisperNode, raw: RawPeer, message: RegExp, send: () => void): Promise<void> {
  const error = nodeError(node)
  send()
  expect(await error).toMatch(message)
  const removal = await raw.removed
  expect(removal).toMatchObject({ name: 'SUBPROTOCOL_ERROR', byUs: false })
}

describe('WhisperNode handshake rules (geth §2.5)', () => {
  it('completes the handshake with a geth-shaped Status and reports the peer', async () => {
    const node = await startNode()
    const raw = await connectRaw(node, null)
    const status = raw.next(ShhCode.Status)
    const added = new Promise<{ powRequirement: number; fullNode: boolean }>((resolve) => node.once('peer:added', resolve))
    raw.protocol.send(ShhCode.Status, encodeStatus({ pow: 0.5, bloom: topicToBloom(TOPIC_A), light: false }))
    expect(bytesToHex(await status)).toBe(bytesToHex(encodeStatus({ pow: MIN_POW, bloom: null, light: false })))
    expect(await added).toMatchObject({ powRequirement: 0.5, fullNode: false, direction: 'inbound' })
    expect(node.status().peers).toHaveLength(1)
  })

  it.each([
    ['a first message that is not Status', /first message has code 1/, () => encodeRawList([])],
    ['shh version 5', /version 5/, () => RLP.encode([5, encodePowBits(0.2)])],
    ['a 32-byte bloom', /bloom of 32 bytes/, () => RLP.encode([6, encodePowBits(0.2), new Uint8Array(32)])],
    ['a NaN PoW', /invalid PoW/, () => RLP.encode([6, encodePowBits(Number.NaN)])]
  ])('disconnects a peer that sends %s', async (_name, message, payload) => {
    const node = await startNode()
    const raw = await connectRaw(node, null)
    const bytes = payload()
    const code = message.source.includes('first message') ? ShhCode.Messages : ShhCode.Status
    await expectDisconnect(node, raw, message, () => raw.protocol.send(code, bytes))
  })

  it('drops a peer that never sends Status (the library\'s 5 s handshake timer is kept)', async () => {
    const node = await startNode()
    const raw = await connectRaw(node, null)
    expect(await raw.removed).toMatchObject({ name: 'TIMEOUT', byUs: false })
    expect(node.status().peers).toEqual([])
  })

  it('refuses light peers when light itself', async () => {
    const node = await startNode({ light: true })
    const raw = await connectRaw(node, null)
    await expectDisconnect(node, raw, /both sides are light/, () =>
      raw.protocol.send(ShhCode.Status, encodeStatus({ pow: 0, bloom: null, light: true }))
    )
  })

  it('disconnects on a packet above its limit (geth: 1 MiB by default) before reading its body', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    await expectDisconnect(node, raw, /exceeds the 1049600-byte limit/, () =>
      raw.protocol.send(ShhCode.Messages, new Uint8Array(2 * 1024 * 1024))
    )
  })
})

describe('WhisperNode envelope rules', () => {
  it('accepts a valid batch and relays nothing back to the sender', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const other = await handshaken(node)
    const a = envelope()
    const b = envelope()
    const done = Promise.all([accepted(node, a.hashHex), accepted(node, b.hashHex)])
    raw.protocol.send(ShhCode.Messages, encodeRawList([a.raw, b.raw]))
    await done
    expect(node.status().envelopes).toBe(2)
    // The batch is relayed (the other peer gets it) ...
    await Promise.all([receives(other, a.hashHex), receives(other, b.hashHex)])
    // ... and an envelope relayed to the sender afterwards arrives behind anything sent to it before, on
    // the same connection: once it is there, a or b would have been too, had they been sent back.
    const c = envelope()
    other.protocol.send(ShhCode.Messages, encodeRawList([c.raw]))
    await receives(raw, c.hashHex)
    expect(receivedHashes(raw)).toEqual([c.hashHex])
    expect(receivedHashes(other)).not.toContain(c.hashHex)
  })

  it.each([
    ['undecodable RLP', /not an RLP list|truncated/, () => Uint8Array.of(0xc3, 0x01)],
    ['an envelope with 4 items', /undecodable envelope: .*5 items/, () => encodeRawList([RLP.encode([1, 2, Uint8Array.of(1, 2, 3, 4), 4])])]
  ])('disconnects on %s in a Messages packet', async (_name, message, payload) => {
    const node = await startNode()
    const raw = await handshaken(node)
    await expectDisconnect(node, raw, message, () => raw.protocol.send(ShhCode.Messages, payload()))
  })

  it.each([
    ['from the future', /in the future/, { sentOffset: 100 }],
    ['expired long ago', /expired/, { sentOffset: -200 }],
    ['oversized', /exceeds 1000/, { size: 2000 }],
    ['with too little PoW', /PoW/, 'weak' as const],
    ['outside our bloom', /bloom/, { topic: TOPIC_B }]
  ])('processes the whole batch, then disconnects on an envelope %s', async (_name, message, spec) => {
    const node = await startNode({ maxMessageSize: 1000, maxPacketSize: 64 * 1024, light: true })
    node.subscribe({ topics: [TOPIC_A], key: { symKey: new Uint8Array(32).fill(1) } }, () => {})
    const raw = await handshaken(node)
    const bad = spec === 'weak' ? weakEnvelope(MIN_POW) : envelope(spec)
    const good = envelope()
    const ok = accepted(node, good.hashHex)
    await expectDisconnect(node, raw, message, () => raw.protocol.send(ShhCode.Messages, encodeRawList([bad.raw, good.raw])))
    await ok
    expect(node.status().envelopes).toBe(1)
  })

  it('silently drops an envelope that expired less than 20 s ago', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const stale = envelope({ ttl: 10, sentOffset: -15 })
    const good = envelope()
    const errors: string[] = []
    node.on('peer:error', ({ error }) => errors.push(error.message))
    const ok = accepted(node, good.hashHex)
    raw.protocol.send(ShhCode.Messages, encodeRawList([stale.raw]))
    raw.protocol.send(ShhCode.Messages, encodeRawList([good.raw]))
    await ok
    expect(node.status().envelopes).toBe(1)
    expect(errors).toEqual([])
  })

  it('ignores unknown codes and a repeated Status', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    raw.protocol.send(50, RLP.encode([1, 2, 3]))
    raw.protocol.send(ShhCode.Status, Uint8Array.of(0xc0))
    const good = envelope()
    const ok = accepted(node, good.hashHex)
    raw.protocol.send(ShhCode.Messages, encodeRawList([good.raw]))
    await ok
    expect(node.status().peers).toHaveLength(1)
  })

  it.each([
    ['a negative PoW requirement', /invalid PoW/, ShhCode.PowRequirement, () => RLP.encode(encodePowBits(-1))],
    ['a 10-byte bloom', /bloom packet/, ShhCode.Bloom, () => RLP.encode(new Uint8Array(10))],
    ['an undecodable bloom', /not valid RLP/, ShhCode.Bloom, () => Uint8Array.of(0xb8)]
  ])('disconnects on %s', async (_name, message, code, payload) => {
    const node = await startNode()
    const raw = await handshaken(node)
    await expectDisconnect(node, raw, message, () => raw.protocol.send(code, payload()))
  })
})

describe('WhisperNode forwarding', () => {
  it("forwards only what matches a peer's PoW requirement and bloom, and follows updates", async () => {
    const node = await startNode()
    const receiver = await handshaken(node, encodeStatus({ pow: 0.01, bloom: topicToBloom(TOPIC_A), light: false }))
    const sender = await handshaken(node)
    const weak = weakEnvelope(0.01, MIN_POW)
    const otherTopic = envelope({ topic: TOPIC_B, pow: 0.02 })
    const wanted = envelope({ pow: 0.02 })
    sender.protocol.send(ShhCode.Messages, encodeRawList([weak.raw, otherTopic.raw, wanted.raw]))
    await receives(receiver, wanted.hashHex)
    expect(receivedHashes(receiver)).toEqual([wanted.hashHex])

    receiver.protocol.send(ShhCode.PowRequirement, RLP.encode(encodePowBits(0)))
    await receives(receiver, weak.hashHex)
    receiver.protocol.send(ShhCode.Bloom, RLP.encode(new Uint8Array(64).fill(0xff)))
    await receives(receiver, otherTopic.hashHex)
    expect(receivedHashes(receiver).sort()).toEqual([wanted.hashHex, weak.hashHex, otherTopic.hashHex].sort())
  })

  it('sends the pool to a peer that connects later', async () => {
    const node = await startNode()
    const symKey = new Uint8Array(32).fill(3)
    const hash = await node.post({ payload: Uint8Array.of(1), topic: TOPIC_A, key: { symKey } })
    const raw = await handshaken(node)
    await receives(raw, hash)
    expect(receivedHashes(raw)).toEqual([hash])
  })

  it("sends a later peer what an earlier one sent, even when the later one reuses the earlier one's slot", async () => {
    const node = await startNode()
    const sender = await handshaken(node)
    const e = envelope()
    const got = accepted(node, e.hashHex)
    sender.protocol.send(ShhCode.Messages, encodeRawList([e.raw]))
    await got
    const gone = new Promise((resolve) => node.once('peer:removed', resolve))
    await sender.close()
    await gone
    const later = await handshaken(node)
    await receives(later, e.hashHex)
    expect(receivedHashes(later)).toEqual([e.hashHex])
  })

  it('as a light node relays nothing but its own posts, and advertises its bloom', async () => {
    const node = await startNode({ light: true })
    const symKey = new Uint8Array(32).fill(4)
    const listener = await handshaken(node)
    const bloomUpdate = listener.next(ShhCode.Bloom)
    node.subscribe({ topics: [TOPIC_A], key: { symKey } }, () => {})
    expect(bytesToHex(RLP.decode(await bloomUpdate) as Uint8Array)).toBe(bytesToHex(topicToBloom(TOPIC_A)))
    const sender = await handshaken(node)
    const relayed = envelope()
    const ok = accepted(node, relayed.hashHex)
    sender.protocol.send(ShhCode.Messages, encodeRawList([relayed.raw]))
    await ok
    const own = await node.post({ payload: Uint8Array.of(1), topic: TOPIC_A, key: { symKey } })
    await receives(listener, own)
    expect(receivedHashes(listener)).toEqual([own])
  })

  it('pushes a PoW requirement change to peers', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const update = raw.next(ShhCode.PowRequirement)
    node.setMinPow(0.25)
    expect(RLP.decode(await update)).toEqual(encodePowBits(0.25))
  })
})

describe('WhisperNode direct messages and mailserver hooks', () => {
  it('ignores code 127 from an untrusted peer and accepts it (single or list) from a trusted one', async () => {
    const node = await startNode()
    const symKey = new Uint8Array(32).fill(9)
    const delivered: string[] = []
    node.subscribe({ topics: [TOPIC_A], key: { symKey }, allowP2P: true }, (m) => delivered.push(m.envelopeHash))
    const raw = await handshaken(node)
    const peerId = node.status().peers[0]?.id as string
    const batches: string[][] = []
    node.on('p2pMessages', ({ envelopes }) => batches.push(envelopes.map((e) => e.hashHex)))
    const direct = (): { raw: Uint8Array; hashHex: string } => {
      const e = sealMessage({ payload: Uint8Array.of(7), topic: TOPIC_A, ttl: 1, powTarget: 0, workTimeMs: 0, key: { symKey } })
      const bytes = encodeEnvelope({ ...e, expiry: 1 }) // long expired: direct messages skip every check
      return { raw: bytes, hashHex: bytesToHex(keccak256(bytes)) }
    }
    raw.protocol.send(ShhCode.P2PMessage, direct().raw)
    const sentinel = envelope()
    const ok = accepted(node, sentinel.hashHex)
    raw.protocol.send(ShhCode.Messages, encodeRawList([sentinel.raw]))
    await ok
    expect(batches).toEqual([])
    expect(delivered).toEqual([])

    node.markTrusted(peerId)
    const single = direct()
    const list = [direct(), direct()]
    const got = new Promise<void>((resolve) => node.on('p2pMessages', () => batches.length === 2 && resolve()))
    raw.protocol.send(ShhCode.P2PMessage, single.raw)
    raw.protocol.send(ShhCode.P2PMessage, encodeRawList(list.map((e) => e.raw)))
    await got
    expect(batches).toEqual([[single.hashHex], list.map((e) => e.hashHex)])
    expect(delivered).toEqual([single.hashHex, ...list.map((e) => e.hashHex)])
    expect(node.status().envelopes).toBe(1)
    expect(node.status().peers[0]?.trusted).toBe(true)

    await expectDisconnect(node, raw, /undecodable envelope/, () =>
      raw.protocol.send(ShhCode.P2PMessage, encodeRawList([RLP.encode([1, 2])]))
    )
  })

  it('hands code 126 to a registered mailserver, and disconnects on an undecodable one', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const request = envelope().raw
    const got = new Promise<{ peerId: string; payload: Uint8Array }>((resolve) => node.once('p2pRequest', resolve))
    raw.protocol.send(ShhCode.P2PRequest, request)
    const sentinel = envelope()
    const ok = accepted(node, sentinel.hashHex)
    raw.protocol.send(ShhCode.Messages, encodeRawList([sentinel.raw]))
    await ok // without a listener, 126 is ignored

    node.on('p2pRequest', () => {})
    raw.protocol.send(ShhCode.P2PRequest, request)
    const event = await got
    expect(bytesToHex(event.payload)).toBe(bytesToHex(request))
    expect(event.peerId).toBe(node.status().peers[0]?.id)
    await expectDisconnect(node, raw, /undecodable P2P request/, () => raw.protocol.send(ShhCode.P2PRequest, Uint8Array.of(0xc5)))
  })

  it('sends 126, 127 and 125 to a peer and accepts 125 back once trusted', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const peerId = node.status().peers[0]?.id as string
    const request = envelope().raw
    const got126 = raw.next(ShhCode.P2PRequest)
    node.sendP2PRequest(peerId, request)
    expect(bytesToHex(await got126)).toBe(bytesToHex(request))

    const got127 = raw.next(ShhCode.P2PMessage)
    node.sendP2PMessages(peerId, [request])
    expect(bytesToHex(await got127)).toBe(bytesToHex(encodeRawList([request])))

    const got125 = raw.next(ShhCode.P2PRequestComplete)
    node.sendRequestComplete(peerId, Uint8Array.of(1, 2, 3))
    expect(RLP.decode(await got125)).toEqual(Uint8Array.of(1, 2, 3))

    const complete = new Promise<Uint8Array>((resolve) => node.once('requestComplete', ({ payload }) => resolve(payload)))
    raw.protocol.send(ShhCode.P2PRequestComplete, RLP.encode(Uint8Array.of(4, 5)))
    expect(await complete).toEqual(Uint8Array.of(4, 5))
  })
})

describe('WhisperNode under abuse', () => {
  it('disconnects a peer that repeats an envelope within one packet, accepting nothing from it', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const e = envelope()
    await expectDisconnect(node, raw, /repeated in one packet/, () =>
      raw.protocol.send(ShhCode.Messages, encodeRawList([e.raw, envelope().raw, e.raw]))
    )
    expect(node.status().envelopes).toBe(0)
  })

  it('disconnects on a packet of more than 50,000 envelopes before reading any of them', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const items = Array.from({ length: 50_001 }, () => Uint8Array.of(0xc0))
    await expectDisconnect(node, raw, /more than 50000 items/, () => raw.protocol.send(ShhCode.Messages, encodeRawList(items)))
  })

  it('keeps pooled envelopes in bytes of their own, never views that pin the inbound packet', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const batch = [envelope({ size: 300 }), envelope({ size: 300 })]
    const pooled: Array<{ buffer: number; encoded: number; dataShares: boolean }> = []
    node.on('envelope', (p) =>
      pooled.push({ buffer: p.encoded.buffer.byteLength, encoded: p.encoded.length, dataShares: p.envelope.data.buffer === p.encoded.buffer })
    )
    const done = Promise.all(batch.map((e) => accepted(node, e.hashHex)))
    raw.protocol.send(ShhCode.Messages, encodeRawList(batch.map((e) => e.raw)))
    await done
    expect(pooled).toEqual(batch.map((e) => ({ buffer: e.raw.length, encoded: e.raw.length, dataShares: true })))
  })

  it('bounds the pool by count and by bytes', async () => {
    const byCount = await startNode({ pool: { maxCount: 2 } })
    const byBytes = await startNode({ pool: { maxBytes: 200 } })
    for (const node of [byCount, byBytes]) {
      const raw = await handshaken(node)
      const batch = [envelope(), envelope(), envelope()]
      raw.protocol.send(ShhCode.Messages, encodeRawList(batch.map((e) => e.raw)))
      const sentinel = envelope({ pow: 1 })
      const ok = accepted(node, sentinel.hashHex)
      raw.protocol.send(ShhCode.Messages, encodeRawList([sentinel.raw]))
      await ok
      expect(node.status().envelopes).toBe(2)
    }
  })

  it('forgets an envelope once its retention ends, however long its TTL', async () => {
    let skewMs = 0
    const node = await startNode({ pool: { maxRetentionSeconds: 2 }, now: () => Date.now() + skewMs })
    const raw = await handshaken(node)
    const e = envelope({ ttl: 3600 })
    const ok = accepted(node, e.hashHex)
    raw.protocol.send(ShhCode.Messages, encodeRawList([e.raw]))
    await ok
    expect(node.status().envelopes).toBe(1)
    skewMs = 4000
    await vi.waitFor(() => expect(node.status().envelopes).toBe(0), { timeout: 3000 })
  })

  it('stops reading a packet after 16 invalid envelopes and disconnects', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const weak = Array.from({ length: 20 }, () => weakEnvelope(MIN_POW))
    const good = envelope()
    await expectDisconnect(node, raw, /PoW/, () =>
      raw.protocol.send(ShhCode.Messages, encodeRawList([...weak.map((e) => e.raw), good.raw]))
    )
    expect(node.status().envelopes).toBe(0)
  })

  it('disconnects a peer beyond its budget of envelopes, then refuses it for a while', async () => {
    const generous = { bytesPerSecond: 1e9, bytesBurst: 1e9 }
    const node = await startNode({ peerBudget: { envelopesPerSecond: 0.01, envelopeBurst: 5, ...generous } })
    const privateKey = new Uint8Array(32).fill(0x5a)
    const added = new Promise((resolve) => node.once('peer:added', resolve))
    const raw = await openRawPeer(node.enode, SHH, { privateKey })
    cleanup.push(() => raw.close())
    raw.protocol.send(ShhCode.Status, FULL_STATUS)
    await added
    const first = [envelope(), envelope(), envelope()]
    const ok = Promise.all(first.map((e) => accepted(node, e.hashHex)))
    raw.protocol.send(ShhCode.Messages, encodeRawList(first.map((e) => e.raw)))
    await ok
    await expectDisconnect(node, raw, /budget of envelopes/, () =>
      raw.protocol.send(ShhCode.Messages, encodeRawList([envelope().raw, envelope().raw, envelope().raw]))
    )

    let announced = false
    node.on('peer:added', () => (announced = true))
    const again = await openRawPeer(node.enode, SHH, { privateKey })
    cleanup.push(() => again.close())
    expect(await again.removed).toMatchObject({ name: 'USELESS_PEER', byUs: false })
    expect(announced).toBe(false)
  })

  it('disconnects a peer beyond its budget of bytes, whatever the message code', async () => {
    const node = await startNode({ peerBudget: { envelopesPerSecond: 1e6, envelopeBurst: 1e6, bytesPerSecond: 1, bytesBurst: 4096 } })
    const raw = await handshaken(node)
    await expectDisconnect(node, raw, /budget of bytes/, () => raw.protocol.send(50, RLP.encode(new Uint8Array(5000))))
  })

  it('gives a trusted peer (a mailserver we asked) no budget', async () => {
    const node = await startNode({ peerBudget: { envelopesPerSecond: 0.01, envelopeBurst: 1, bytesPerSecond: 1, bytesBurst: 4096 } })
    const raw = await handshaken(node)
    node.markTrusted(node.status().peers[0]?.id as string)
    raw.protocol.send(50, RLP.encode(new Uint8Array(5000)))
    const batch = [envelope(), envelope(), envelope()]
    const ok = Promise.all(batch.map((e) => accepted(node, e.hashHex)))
    raw.protocol.send(ShhCode.Messages, encodeRawList(batch.map((e) => e.raw)))
    await ok
    expect(node.status().peers).toHaveLength(1)
  })

  it('serves other peers while a large packet is worked on', async () => {
    const node = await startNode({ minPow: 0 })
    const attacker = await handshaken(node)
    const good = await handshaken(node)
    const expiry = Math.floor(Date.now() / 1000) + 50
    const flood = Array.from({ length: 30_000 }, (_, i) => {
      const data = new Uint8Array(4)
      new DataView(data.buffer).setUint32(0, i)
      return encodeEnvelope(seal({ expiry, ttl: 50, topic: TOPIC_A, data }, { target: 0, workTimeMs: 0 }))
    })
    const probe = envelope()
    let floodAccepted = 0
    let floodAcceptedBeforeProbe = -1
    const probeAccepted = new Promise<void>((resolve) =>
      node.on('envelope', (p) => {
        if (p.hashHex === probe.hashHex) {
          floodAcceptedBeforeProbe = floodAccepted
          resolve()
        } else if (++floodAccepted === 1) {
          good.protocol.send(ShhCode.Messages, encodeRawList([probe.raw]))
        }
      })
    )
    attacker.protocol.send(ShhCode.Messages, encodeRawList(flood))
    await probeAccepted
    expect(floodAcceptedBeforeProbe).toBeGreaterThan(0)
    expect(floodAcceptedBeforeProbe).toBeLessThan(flood.length)
    await vi.waitFor(() => expect(node.status().envelopes).toBe(flood.length + 1), { timeout: 20_000 })
    expect(node.status().peers).toHaveLength(2)
  })
})

describe('WhisperNode sending under PoW', () => {
  const symKey = new Uint8Array(32).fill(6)
  const powOfRaw = (raw: RawPeer, hashHex: string): number => {
    const bytes = raw.protocol.received
      .filter((m) => m.code === ShhCode.Messages)
      .flatMap((m) => splitRawList(m.data, 'test'))
      .find((e) => bytesToHex(keccak256(e)) === hashHex)
    return bytes === undefined ? Number.NaN : powOf(decodeEnvelope(bytes))
  }

  it('seals to the highest minimum PoW among connected peers', async () => {
    const node = await startNode()
    const raw = await handshaken(node, encodeStatus({ pow: 0.05, bloom: null, light: false }))
    await handshaken(node, encodeStatus({ pow: 0.01, bloom: null, light: false }))
    expect(node.sendPow()).toBe(0.05)
    const hash = await node.post({ payload: Uint8Array.of(1), topic: TOPIC_A, key: { symKey } })
    await receives(raw, hash)
    expect(powOfRaw(raw, hash)).toBeGreaterThanOrEqual(0.05)
    expect(node.reach(hash)).toBe(2)
  })

  it('reaches nobody when every peer asks more than the cap, and re-seals once one asks less', async () => {
    const node = await startNode({ maxSendPow: 0.6 })
    const raw = await handshaken(node, encodeStatus({ pow: 5, bloom: null, light: false }))
    expect(node.reachablePeers()).toBe(0)
    const hash = await node.post({ payload: Uint8Array.of(2), topic: TOPIC_A, key: { symKey }, powTarget: MIN_POW })
    expect(node.reach(hash)).toBe(0)

    const resealed = new Promise<{ from: string; to: string }>((resolve) => node.once('resealed', resolve))
    // Far above what the first seal reached (about 0.001), so a re-seal is needed whatever its luck.
    raw.protocol.send(ShhCode.PowRequirement, RLP.encode(encodePowBits(0.5)))
    const { from, to } = await resealed
    expect(from).toBe(hash)
    await receives(raw, to)
    expect(powOfRaw(raw, to)).toBeGreaterThanOrEqual(0.5)
    expect(node.reach(to)).toBe(1)
    expect(receivedHashes(raw)).toEqual([to])
  })

  it('re-seals its own envelopes for a peer that asks more than they carry, and only that peer gets the new one', async () => {
    const node = await startNode()
    const early = await handshaken(node)
    const hash = await node.post({ payload: Uint8Array.of(3), topic: TOPIC_A, key: { symKey }, powTarget: MIN_POW })
    await receives(early, hash)
    const resealed = new Promise<{ from: string; to: string }>((resolve) => node.once('resealed', resolve))
    const demanding = await handshaken(node, encodeStatus({ pow: 0.5, bloom: null, light: false }))
    const { to } = await resealed
    await receives(demanding, to)
    expect(powOfRaw(demanding, to)).toBeGreaterThanOrEqual(0.5)
    const sentinel = await node.post({ payload: Uint8Array.of(4), topic: TOPIC_A, key: { symKey } })
    await receives(early, sentinel)
    expect(receivedHashes(early)).toEqual([hash, sentinel])
  })

  it('keeps its own post from its own filters when told (loopback: false), and delivers it by default', async () => {
    const node = await startNode()
    const raw = await handshaken(node)
    const seen: string[] = []
    node.subscribe({ topics: [TOPIC_B], key: { symKey } }, (m) => seen.push(new TextDecoder().decode(m.payload)))
    const quiet = await node.post({ payload: new TextEncoder().encode('quiet'), topic: TOPIC_B, key: { symKey }, loopback: false })
    const echoed = await node.post({ payload: new TextEncoder().encode('echoed'), topic: TOPIC_B, key: { symKey } })
    await receives(raw, echoed)
    expect(receivedHashes(raw)).toEqual([quiet, echoed])
    expect(seen).toEqual(['echoed'])
  })

  it('counts and lists its peers as status() does, without building it', async () => {
    const node = await startNode()
    expect(node.peerCount()).toBe(0)
    await handshaken(node)
    await handshaken(node)
    expect(node.peerCount()).toBe(node.status().peers.length)
    expect(node.peerCount()).toBe(2)
    expect(node.peerIds()).toEqual(node.status().peers.map((p) => p.id))
    expect(node.requiredPow).toBe(node.status().minPow)
  })
})
