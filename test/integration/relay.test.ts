import { bytesToHex } from '@noble/hashes/utils.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keccak256 } from '../../src/main/core/primitives/keccak'
import { openRawPeer, type RawPeer } from '../../src/main/core/p2p/raw-peer'
import { encodeEnvelope } from '../../src/main/core/whisper/envelope'
import { sealMessage } from '../../src/main/core/whisper/message'
import { WhisperNode } from '../../src/main/core/whisper/node'
import type { PooledEnvelope } from '../../src/main/core/whisper/pool'
import { powOf } from '../../src/main/core/whisper/pow'
import { ShhCode, encodeRawList, encodeStatus } from '../../src/main/core/whisper/shh-protocol'
import { topicFromString } from '../../src/main/core/whisper/topic'
import { HushNodeProcess } from './hush-node-process'

/*
 * Five hush-node processes in a line on loopback:  A → N1 — N2 — N3 — N4 — N5 → B, C
 * A, B, C are in-process WhisperNodes (A posts, B listens on TOPIC, C is a light node interested
 * only in OTHER); R is a hand-driven peer on N1 that injects envelopes a node must not relay.
 * Absence is checked without timing: TCP keeps each link in order, so once a later envelope has
 * arrived, an earlier one that had been relayed would have arrived first.
 */
const MIN_POW = 0.001
const TOPIC = topicFromString('hush/relay-test')
const OTHER = topicFromString('hush/other-topic')
const SYM_KEY = new Uint8Array(32).fill(0x42)

const line: HushNodeProcess[] = []
const inProcess: WhisperNode[] = []
let a: WhisperNode
let b: WhisperNode
let c: WhisperNode
const atB: PooledEnvelope[] = []
const atC: PooledEnvelope[] = []

async function connectedNode(options: { light?: boolean; to: HushNodeProcess }): Promise<WhisperNode> {
  const node = new WhisperNode({ listen: { host: '127.0.0.1', port: 0 }, minPow: MIN_POW, light: options.light ?? false })
  inProcess.push(node)
  await node.start()
  const added = new Promise((resolve) => node.once('peer:added', resolve))
  node.addPeer(options.to.enode)
  await added
  return node
}

function seal(topic: Uint8Array, text: string): Uint8Array {
  const e = sealMessage({
    payload: new TextEncoder().encode(text),
    topic,
    ttl: 30,
    powTarget: MIN_POW * 2,
    workTimeMs: 5000,
    key: { symKey: SYM_KEY }
  })
  return encodeEnvelope(e)
}

/** Unmined (nonce 0) until its PoW falls below what the line requires. */
function weakEnvelope(): Uint8Array {
  for (;;) {
    const e = sealMessage({ payload: Uint8Array.of(4), topic: TOPIC, ttl: 30, powTarget: 0, workTimeMs: 0, key: { symKey: SYM_KEY } })
    if (powOf(e) < MIN_POW) return encodeEnvelope(e)
  }
}

const hashOf = (raw: Uint8Array): string => bytesToHex(keccak256(raw))

function arrives(list: PooledEnvelope[], node: WhisperNode, hashHex: string): Promise<void> {
  if (list.some((p) => p.hashHex === hashHex)) return Promise.resolve()
  return new Promise((resolve) =>
    node.on('envelope', (p) => {
      if (p.hashHex === hashHex) resolve()
    })
  )
}

beforeAll(async () => {
  for (let i = 0; i < 5; i++) {
    const args = ['--listen', '127.0.0.1:0', '--min-pow', String(MIN_POW)]
    const prev = line[i - 1]
    if (prev !== undefined) args.push('--static', prev.enode)
    const proc = await HushNodeProcess.start(args)
    line.push(proc)
    if (prev !== undefined) await proc.waitFor(new RegExp(`^peer-added ${prev.id} `))
  }
  a = await connectedNode({ to: line[0] as HushNodeProcess })
  b = await connectedNode({ to: line[4] as HushNodeProcess })
  c = await connectedNode({ to: line[4] as HushNodeProcess, light: true })
  b.on('envelope', (p) => atB.push(p))
  c.on('envelope', (p) => atC.push(p))
}, 60_000)

afterAll(async () => {
  await Promise.all([...inProcess.map((n) => n.stop()), ...line.map((p) => p.stop())])
})

describe('five hush-node processes in a line', () => {
  it('prints the enode first and one line per peer event', () => {
    for (const p of line) expect(p.lines[0]).toMatch(/^enode:\/\/[0-9a-f]{128}@127\.0\.0\.1:\d+$/)
    for (const [i, p] of line.slice(1).entries()) {
      const dialled = new RegExp(`^peer-added ${line[i]?.id} 127\\.0\\.0\\.1:\\d+ outbound light=false pow=${MIN_POW}$`)
      expect(p.lines).toContainEqual(expect.stringMatching(dialled))
    }
  })

  it('relays an envelope posted at one end to the other end', async () => {
    const received = new Promise<string>((resolve) =>
      b.subscribe({ topics: [TOPIC], key: { symKey: SYM_KEY } }, (m) => resolve(new TextDecoder().decode(m.payload)))
    )
    const hash = await a.post({ payload: new TextEncoder().encode('over five hops'), topic: TOPIC, key: { symKey: SYM_KEY } })
    expect(await received).toBe('over five hops')
    expect(atB.map((p) => p.hashHex)).toContain(hash)
  })

  it('does not send it to a node whose bloom excludes the topic', async () => {
    const onTopic = await a.post({ payload: Uint8Array.of(1), topic: TOPIC, key: { symKey: SYM_KEY } })
    const onOther = await a.post({ payload: Uint8Array.of(2), topic: OTHER, key: { symKey: SYM_KEY } })
    c.subscribe({ topics: [OTHER], key: { symKey: SYM_KEY } }, () => {})
    await arrives(atB, b, onTopic)
    // C subscribed after the posts; N5 learns C's bloom and then sends it what it wants from the pool.
    await arrives(atC, c, onOther)
    expect(atC.map((p) => p.hashHex)).not.toContain(onTopic)
    expect(c.status().peers).toHaveLength(1)
  })

  it('relays neither an expired envelope nor one with too little PoW', async () => {
    const raw: RawPeer = await openRawPeer((line[0] as HushNodeProcess).enode, { name: 'shh', version: 6, length: 128 })
    try {
      raw.protocol.send(ShhCode.Status, encodeStatus({ pow: 0, bloom: null, light: false }))
      const now = Math.floor(Date.now() / 1000)
      const expired = encodeEnvelope({ ...sealMessage({ payload: Uint8Array.of(3), topic: TOPIC, ttl: 5, powTarget: 1, workTimeMs: 5000, key: { symKey: SYM_KEY } }), expiry: now - 5 })
      const sentinel = seal(TOPIC, 'sentinel')
      raw.protocol.send(ShhCode.Messages, encodeRawList([expired]))
      raw.protocol.send(ShhCode.Messages, encodeRawList([sentinel]))
      await arrives(atB, b, hashOf(sentinel))
      expect(atB.map((p) => p.hashHex)).not.toContain(hashOf(expired))

      const weak = weakEnvelope()
      raw.protocol.send(ShhCode.Messages, encodeRawList([weak]))
      expect(await raw.removed).toMatchObject({ name: 'SUBPROTOCOL_ERROR', byUs: false })
      const after = await a.post({ payload: Uint8Array.of(5), topic: TOPIC, key: { symKey: SYM_KEY } })
      await arrives(atB, b, after)
      expect(atB.map((p) => p.hashHex)).not.toContain(hashOf(weak))
      await (line[0] as HushNodeProcess).waitFor(/^peer-error [0-9a-f]{128} "invalid envelope: envelope PoW/)
    } finally {
      await raw.close()
    }
  })

  it('shuts every process down cleanly on SIGTERM', async () => {
    const codes = await Promise.all(line.map((p) => p.stop()))
    expect(codes).toEqual([0, 0, 0, 0, 0])
    expect(line.map((p) => p.lines.at(-1))).toEqual(Array(5).fill('stopped'))
  })
})
