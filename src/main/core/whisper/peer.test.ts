import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import type { HostPeer } from '../p2p/host'
import { topicToBloom } from './bloom'
import { WhisperPeer, type RelayEntry } from './peer'
import { rawListSize, type ShhProtocol } from './shh-protocol'

const MiB = 1024 * 1024

/** A WhisperPeer whose connection only records the code-1 batches it is asked to send. */
function recordingPeer(slot: number | null): { peer: WhisperPeer; batches: Uint8Array[][] } {
  const batches: Uint8Array[][] = []
  const shh = { sendEnvelopes: (envs: Uint8Array[]) => batches.push(envs) } as unknown as ShhProtocol
  const peer = new WhisperPeer({ id: 'p' } as HostPeer, shh, slot)
  peer.applyStatus({ version: 6, pow: 0, bloom: null, light: false })
  return { peer, batches }
}

function pooled(n: number, size: number, opts: { pow?: number; topic?: Uint8Array } = {}): RelayEntry {
  const encoded = new Uint8Array(size).fill(n & 0xff)
  const topic = opts.topic ?? Uint8Array.of(1, 2, 3, 4)
  return {
    envelope: { expiry: 0, ttl: 1, topic, data: encoded, nonce: 0n },
    encoded,
    hash: new Uint8Array(32),
    hashHex: `h${n}`,
    pow: opts.pow ?? 1,
    bloom: topicToBloom(topic),
    receivedAt: 0,
    knownBy: 0
  }
}

const live = (): boolean => true

describe.each([
  ['a slot bit', 3],
  ['a hash set (no slot left)', null]
])('WhisperPeer.flush, knowledge kept in %s', (_mode, slot) => {
  it('splits batches so every packet stays within the limit, keeping order and sending each once', () => {
    const { peer, batches } = recordingPeer(slot)
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
    const { peer, batches } = recordingPeer(slot)
    for (let i = 0; i < 100; i++) peer.enqueue(pooled(i, 300))
    peer.flush(MiB, live)
    expect(batches).toHaveLength(1)
    expect(batches[0]).toHaveLength(100)
  })

  it('sends an envelope larger than the limit alone', () => {
    const { peer, batches } = recordingPeer(slot)
    peer.enqueue(pooled(1, 10))
    peer.enqueue(pooled(2, 2 * MiB))
    peer.enqueue(pooled(3, 10))
    peer.flush(MiB, live)
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1])
  })

  it("honours the peer's PoW requirement and bloom", () => {
    const { peer, batches } = recordingPeer(slot)
    const wanted = Uint8Array.of(0xde, 0xad, 0xbe, 0xef)
    peer.powRequirement = 0.5
    peer.bloom = topicToBloom(wanted)
    const one = pooled(1, 10, { pow: 0.4, topic: wanted })
    const three = pooled(3, 10, { pow: 0.6, topic: wanted })
    peer.enqueue(one)
    peer.enqueue(pooled(2, 10, { pow: 0.6, topic: Uint8Array.of(0, 0, 0, 0) }))
    peer.enqueue(three)
    expect(peer.flush(MiB, live)).toBe(1)
    expect(batches.flat().map((e) => e[0])).toEqual([3])
    expect(peer.knows(three)).toBe(true)
    expect(peer.knows(one)).toBe(false)
  })

  it('skips known and no-longer-pooled envelopes, and sends nothing before the handshake', () => {
    const { peer, batches } = recordingPeer(slot)
    const one = pooled(1, 10)
    peer.markKnown(one)
    peer.enqueue(one)
    peer.enqueue(pooled(2, 10))
    peer.enqueue(pooled(3, 10))
    expect(peer.flush(MiB, (e) => e.hashHex !== 'h2')).toBe(1)
    expect(bytesToHex(batches.flat()[0] as Uint8Array)).toBe('03'.repeat(10))

    const silent = { sendEnvelopes: () => 0 } as unknown as ShhProtocol
    const fresh = new WhisperPeer({ id: 'q' } as HostPeer, silent, slot === null ? null : slot + 1)
    fresh.enqueue(pooled(4, 10))
    expect(fresh.flush(MiB, live)).toBe(0)
    expect(fresh.pending).toBe(1)
  })
})

describe('WhisperPeer known-slot bits', () => {
  const shh = { sendEnvelopes: () => 0 } as unknown as ShhProtocol
  it('keeps peers apart and clears a released slot before it is reused', () => {
    const a = new WhisperPeer({ id: 'a' } as HostPeer, shh, 0)
    const b = new WhisperPeer({ id: 'b' } as HostPeer, shh, 30)
    const entries = [pooled(1, 10), pooled(2, 10)]
    a.markKnown(entries[0] as RelayEntry)
    b.markKnown(entries[1] as RelayEntry)
    expect(entries.map((e) => [a.knows(e), b.knows(e)])).toEqual([[true, false], [false, true]])
    a.releaseSlot(entries)
    const reuser = new WhisperPeer({ id: 'c' } as HostPeer, shh, 0)
    expect(entries.map((e) => reuser.knows(e))).toEqual([false, false])
    expect(b.knows(entries[1] as RelayEntry)).toBe(true)
  })
})
