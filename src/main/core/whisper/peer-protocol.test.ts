import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import type { HostPeer } from '../p2p/host'
import type { RlpSpan } from '../p2p/rlp-view'
import { topicToBloom } from './bloom'
import { encodeEnvelope } from './envelope'
import { WhisperPeer } from './peer'
import { PeerBudget } from './peer-budget'
import { peerProtocol, type PeerProtocolHost } from './peer-protocol'
import { ShhProtocolError, type ShhProtocol } from './shh-protocol'

const BUDGET = { envelopesPerSecond: 1, envelopeBurst: 10, bytesPerSecond: 1, bytesBurst: 100 }

function setup(trusted = false, servesRequests = true) {
  const calls: string[] = []
  const peer = new WhisperPeer({ id: 'p' } as HostPeer, {} as ShhProtocol, 0, new PeerBudget(BUDGET, () => 0))
  peer.trusted = trusted
  const host: PeerProtocolHost = {
    now: () => 5_000,
    peerReady: () => calls.push('ready'),
    envelopes: (_p, _packet, items) => void calls.push(`envelopes ${items.length}`),
    powChanged: (_p, looser) => calls.push(`pow ${looser ? 'looser' : 'stricter'}`),
    requeue: () => calls.push('requeue'),
    directEnvelopes: (_p, envelopes) => calls.push(`direct ${envelopes.map((e) => e.receivedAt).join()}`),
    servesP2PRequests: () => servesRequests,
    p2pRequest: () => calls.push('request'),
    requestComplete: () => calls.push('complete')
  }
  return { peer, calls, handler: peerProtocol(peer, host) }
}

const items = (n: number): RlpSpan[] => Array.from({ length: n }, () => ({ start: 0, end: 0, list: false, payload: 0 }))

describe('peerProtocol', () => {
  it('disconnects a peer past its budget of envelopes or bytes, and gives a trusted peer none', () => {
    const { handler, calls } = setup()
    handler.onEnvelopes(new Uint8Array(), items(10))
    expect(() => handler.onEnvelopes(new Uint8Array(), items(1))).toThrow(ShhProtocolError)
    expect(() => handler.onTraffic(101)).toThrow(/budget of bytes/)
    expect(calls).toEqual(['envelopes 10'])
    const trusted = setup(true)
    trusted.handler.onEnvelopes(new Uint8Array(), items(1000))
    trusted.handler.onTraffic(10_000)
    expect(trusted.calls).toEqual(['envelopes 1000'])
  })

  it('tells a looser requirement from a stricter one, and re-offers the pool only for a wider bloom', () => {
    const { handler, calls, peer } = setup()
    handler.onStatus({ version: 6, pow: 0.5, bloom: topicToBloom(Uint8Array.of(1, 2, 3, 4)), light: false })
    handler.onPowRequirement(1)
    handler.onPowRequirement(0.1)
    handler.onBloom(topicToBloom(Uint8Array.of(1, 2, 3, 4)))
    handler.onBloom(null)
    handler.onBloom(topicToBloom(Uint8Array.of(9, 9, 9, 9)))
    expect(calls).toEqual(['ready', 'pow stricter', 'pow looser', 'requeue'])
    expect(peer.powRequirement).toBe(0.1)
  })

  it('takes direct messages (125, 127) only from a trusted peer, and 126 only while a mailserver listens', () => {
    const envelope = encodeEnvelope({ expiry: 100, ttl: 10, topic: Uint8Array.of(1, 2, 3, 4), data: new Uint8Array(8), nonce: 1n })
    const untrusted = setup(false, false)
    untrusted.handler.onP2PMessages([envelope])
    untrusted.handler.onRequestComplete(new Uint8Array(1))
    untrusted.handler.onP2PRequest(Uint8Array.of(0xff))
    expect(untrusted.calls).toEqual([])
    const trusted = setup(true)
    trusted.handler.onP2PMessages([envelope])
    trusted.handler.onRequestComplete(new Uint8Array(1))
    trusted.handler.onP2PRequest(RLP.encode([Uint8Array.of(1)]))
    expect(trusted.calls).toEqual(['direct 5', 'complete', 'request'])
  })

  it('disconnects on an undecodable request or direct envelope', () => {
    const { handler } = setup(true)
    expect(() => handler.onP2PRequest(Uint8Array.of(0xf8))).toThrow(/undecodable P2P request/)
    expect(() => handler.onP2PMessages([Uint8Array.of(0xc1, 0x01)])).toThrow(/undecodable envelope/)
  })
})
