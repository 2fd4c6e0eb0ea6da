import { describe, expect, it } from 'vitest'
import type { HostPeer } from '../p2p/host'
import { readRlpListSpans, readRlpSpan } from '../p2p/rlp-view'
import { initHashing } from '../primitives/keccak'
import { encodeEnvelope } from './envelope'
import { inboundEnvelopeSteps, MAX_INVALID_PER_PACKET, type InboundSink } from './inbound-envelopes'
import { WhisperPeer, type RelayEntry } from './peer'
import { seal } from './pow'
import { encodeRawList, type ShhProtocol } from './shh-protocol'

const TOPIC = Uint8Array.of(1, 2, 3, 4)
const NOW = 1_700_000_000

/** `sentOffset` seconds after NOW (more than 10 s ahead is a violation: from the future). */
function sealed(n: number, sentOffset = 0): Uint8Array {
  const ttl = 50
  return encodeEnvelope(seal({ expiry: NOW + sentOffset + ttl, ttl, topic: TOPIC, data: new Uint8Array(16).fill(n) }, { target: 0, workTimeMs: 0 }))
}

function run(raws: Uint8Array[], known: Map<string, RelayEntry> = new Map()) {
  const packet = encodeRawList(raws)
  const peer = new WhisperPeer({ id: 'p' } as HostPeer, {} as ShhProtocol, 0)
  const accepted: RelayEntry[] = []
  const sink: InboundSink = {
    known: (hashHex) => known.get(hashHex),
    validityContext: () => ({ now: NOW, minPow: 0, minPowTolerance: 0, bloom: null, bloomTolerance: null, maxMessageSize: 1 << 20 }),
    accept: (entry) => void accepted.push(entry)
  }
  const steps = inboundEnvelopeSteps(peer, packet, readRlpListSpans(packet, readRlpSpan(packet, 0)), sink)
  let error: unknown = null
  try {
    for (const _ of steps);
  } catch (e) {
    error = e
  }
  return { accepted, peer, packet, error: error === null ? null : (error as Error).message }
}

describe('inboundEnvelopeSteps', () => {
  it('accepts valid envelopes in bytes of their own, and skips (but marks) what the pool has', async () => {
    await initHashing()
    const first = run([sealed(1), sealed(2)])
    expect(first.error).toBeNull()
    expect(first.accepted).toHaveLength(2)
    for (const e of first.accepted) expect(e.encoded.buffer).not.toBe(first.packet.buffer)
    const pooled = first.accepted[0]!
    const again = run([sealed(1), sealed(3)], new Map([[pooled.hashHex, pooled]]))
    expect(again.accepted).toHaveLength(1)
    expect(again.peer.knows(pooled)).toBe(true)
  })

  it('refuses a packet that repeats an envelope, accepting nothing from it', async () => {
    await initHashing()
    const { accepted, error } = run([sealed(4), sealed(5), sealed(4)])
    expect(error).toMatch(/repeated in one packet/)
    expect(accepted).toEqual([])
  })

  it(`stops reading after ${MAX_INVALID_PER_PACKET} invalid envelopes and blames the peer for the first`, async () => {
    await initHashing()
    const future = Array.from({ length: MAX_INVALID_PER_PACKET + 2 }, (_, i) => sealed(10 + i, 100))
    const { accepted, error } = run([...future, sealed(9)])
    expect(error).toMatch(/invalid envelope: .*future/)
    // Reading stopped at the limit: the valid envelope after the invalid ones was never reached.
    expect(accepted).toEqual([])
  })
})
