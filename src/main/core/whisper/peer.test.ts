import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import type { HostPeer } from '../p2p/host'
import { topicToBloom } from './bloom'
import { WhisperPeer } from './peer'
import type { PooledEnvelope } from './pool'
import { rawListSize, type ShhProtocol } from './shh-protocol'

const MiB = 1024 * 1024

/** A WhisperPeer whose connection only records the code-1 batches it is asked to send. */
function recordingPeer(): { peer: WhisperPeer; batches: Uint8Array[][] } {
  const batches: Uint8Array[][] = []
  const shh = { sendEnvelopes: (envs: Uint8Array[]) => batches.push(envs) } as unknown as ShhProtocol
  const peer = new WhisperPeer({ id: 'p' } as HostPeer, shh)
  peer.applyStatus({ version: 6, pow: 0, bloom: null, light: false })
  return { peer, batches }
}

function pooled(n: number, size: number, opts: { pow?: number; topic?: Uint8Array } = {}): PooledEnvelope {
  const encoded = new Uint8Array(size).fill(n & 0xff)
  const topic = opts.topic ?? Uint8Array.of(1, 2, 3, 4)
  return {
    envelope: { expiry: 0, ttl: 1, topic, data: encoded, nonce: 0n },
    encoded,
    hash: new Uint8Array(32),
    hashHex: `h${n}`,
    pow: opts.pow ?? 1,
    bloom: topicToBloom(topic),
    receivedAt: 0
  }
}

const live = (): boolean => true

describe('WhisperPeer.flush', () => {
  it('splits batches so every packet stays within the limit, keeping order and sending each once', () => {
    const { peer, batches } = recordingPeer()
    const all = Array.from({ length: 50 }, (_, i) => pooled(i, 100_000))
    for (const e of all) peer.enqueue(e)
    expect(peer.flush(MiB, live)).toBe(50)
    expect(batches.length).toBeGreaterThan(4)
    for (const b of batches) {
      expect(rawListSize(b.reduce((n, e) => n + e.length, 0))).toBeLessThanOrEqual(MiB)
    }
    expect(batches.flat().map((e) => e[0])).toEqual(all.map((_, i) => i & 0xff))
    for (const e of all) peer.enqueue(e)
    expect(peer.flush(MiB, live)).toBe(0)
    expect(batches.flat()).toHaveLength(50)
  })

  it('packs many small envelopes into one packet', () => {
    const { peer, batches } = recordingPeer()
    for (let i = 0; i < 100; i++) peer.enqueue(pooled(i, 300))
    peer.flush(MiB, live)
    expect(batches).toHaveLength(1)
    expect(batches[0]).toHaveLength(100)
  })

  it('sends an envelope larger than the limit alone', () => {
    const { peer, batches } = recordingPeer()
    peer.enqueue(pooled(1, 10))
    peer.enqueue(pooled(2, 2 * MiB))
    peer.enqueue(pooled(3, 10))
    peer.flush(MiB, live)
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1])
  })

  it("honours the peer's PoW requirement and bloom", () => {
    const { peer, batches } = recordingPeer()
    const wanted = Uint8Array.of(0xde, 0xad, 0xbe, 0xef)
    peer.powRequirement = 0.5
    peer.bloom = topicToBloom(wanted)
    peer.enqueue(pooled(1, 10, { pow: 0.4, topic: wanted }))
    peer.enqueue(pooled(2, 10, { pow: 0.6, topic: Uint8Array.of(0, 0, 0, 0) }))
    peer.enqueue(pooled(3, 10, { pow: 0.6, topic: wanted }))
    expect(peer.flush(MiB, live)).toBe(1)
    expect(batches.flat().map((e) => e[0])).toEqual([3])
    expect(peer.knows('h3')).toBe(true)
    expect(peer.knows('h1')).toBe(false)
  })

  it('skips known and no-longer-pooled envelopes, and sends nothing before the handshake', () => {
    const { peer, batches } = recordingPeer()
    peer.markKnown('h1')
    peer.enqueue(pooled(1, 10))
    peer.enqueue(pooled(2, 10))
    peer.enqueue(pooled(3, 10))
    expect(peer.flush(MiB, (h) => h !== 'h2')).toBe(1)
    expect(bytesToHex(batches.flat()[0] as Uint8Array)).toBe('03'.repeat(10))

    const fresh = new WhisperPeer({ id: 'q' } as HostPeer, { sendEnvelopes: () => 0 } as unknown as ShhProtocol)
    fresh.enqueue(pooled(4, 10))
    expect(fresh.flush(MiB, live)).toBe(0)
    expect(fresh.pending).toBe(1)
  })
})
