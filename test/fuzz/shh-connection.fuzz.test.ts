import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { RLP } from '@ethereumjs/rlp'
import type { Peer } from '@ethereumjs/devp2p'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { encodeEnvelope } from '../../src/main/core/whisper/envelope'
import { ShhCode, ShhProtocol, ShhProtocolError, encodePowBits, encodeRawList, encodeStatus, type ShhHandler } from '../../src/main/core/whisper/shh-protocol'
import { assertProperty, mutated } from './harness'

const MAX_PACKET_BYTES = 4096
const MAX_ENVELOPES = 3

/** Just enough of a devp2p Peer for one ShhProtocol: no socket, frames are handed in directly. */
function fakePeer(): Peer {
  return {
    events: new EventEmitter(),
    _socket: { pause: () => undefined, resume: () => undefined },
    _eciesSession: { parseHeader: () => undefined, parseBody: () => undefined },
    getHelloMessage: () => null,
    disconnect: () => undefined
  } as unknown as Peer
}

function connection(): { protocol: ShhProtocol; close(): void; received: number } {
  const state = { received: 0 }
  const count = () => {
    state.received++
  }
  const handler: ShhHandler = {
    onStatus: count,
    onTraffic: (bytes) => assert.ok(bytes <= MAX_PACKET_BYTES),
    onEnvelopes: (packet, items) => {
      assert.ok(items.length <= MAX_ENVELOPES)
      for (const item of items) assert.ok(item.start >= 0 && item.start < item.end && item.end <= packet.length)
      count()
    },
    onPowRequirement: (pow) => {
      assert.equal(Number.isFinite(pow) && pow >= 0, true)
      count()
    },
    onBloom: count,
    onP2PMessages: count,
    onP2PRequest: count,
    onRequestComplete: count
  }
  const peer = fakePeer()
  const protocol = new ShhProtocol(6, peer, () => undefined, { maxPacketBytes: MAX_PACKET_BYTES, localIsLight: () => true, maxEnvelopesPerPacket: MAX_ENVELOPES })
  protocol.start(handler, { pow: 0.002, bloom: null, light: false })
  return {
    protocol,
    // Closing clears the Status timer the devp2p base class arms.
    close: () => peer.events.emit('close'),
    get received() {
      return state.received
    }
  }
}

const envelope = fc
  .record({
    expiry: fc.nat(),
    ttl: fc.nat(),
    topic: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    data: fc.uint8Array({ maxLength: 100 }),
    nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
  })
  .map(encodeEnvelope)
const codes = fc.oneof(fc.constantFrom(...Object.values(ShhCode)), fc.integer({ min: 0, max: 200 }))
const body = fc.oneof(
  fc.array(envelope, { maxLength: 4 }).map(encodeRawList),
  envelope,
  fc.double({ min: 0, noNaN: true }).map((pow) => RLP.encode(encodePowBits(pow))),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bloom) => RLP.encode(bloom)),
  fc.uint8Array({ maxLength: 120 }).map((bytes) => RLP.encode(bytes)),
  fc.record({ pow: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), bloom: fc.constant(null), light: fc.boolean() }).map(encodeStatus)
)
const oversized = fc.integer({ min: MAX_PACKET_BYTES - 2, max: MAX_PACKET_BYTES + 2 }).map((n) => new Uint8Array(n).fill(0xc1))
const frame = fc.tuple(codes, fc.oneof(body, mutated(body), oversized))
/** Mostly a valid handshake first, so later frames reach the message handlers. */
const handshake = fc.record({ pow: fc.constantFrom(0, 0.2), bloom: fc.constant(null), light: fc.boolean() }).map((s) => [ShhCode.Status, encodeStatus(s)] as [number, Uint8Array])
const frames = fc.tuple(fc.option(handshake, { freq: 4 }), fc.array(frame, { minLength: 1, maxLength: 6 })).map(([first, rest]) => (first ? [first, ...rest] : rest))

describe('shh/6 connection', () => {
  it('turns any sequence of frames into handler calls or a ShhProtocolError (which disconnects), nothing else', () => {
    assertProperty('shh frames', 400, fc.property(frames, (sequence) => {
      const { protocol, close } = connection()
      try {
        for (const [code, data] of sequence) protocol._handleMessage(code, data)
      } catch (error) {
        if (!(error instanceof ShhProtocolError)) throw error
      } finally {
        close()
      }
    }))
  })
})
