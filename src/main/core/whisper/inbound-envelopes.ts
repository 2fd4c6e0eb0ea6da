import { keccak256 } from '../primitives/keccak'
import type { RlpSpan } from '../p2p/rlp-view'
import { topicToBloom } from './bloom'
import { decodeEnvelope, type Envelope } from './envelope'
import type { RelayEntry, WhisperPeer } from './peer'
import type { PooledEnvelope } from './pool'
import { powOf } from './pow'
import { ShhProtocolError } from './shh-protocol'
import { checkEnvelope, type ValidityContext } from './validity'

/** geth would process them all, then disconnect; after this many we stop reading and disconnect. */
export const MAX_INVALID_PER_PACKET = 16

/** Where the envelopes of one inbound packet go. */
export interface InboundSink {
  /** The pooled entry with this hash, if we have it. */
  known(hashHex: string): RelayEntry | undefined
  validityContext(): ValidityContext
  /** A valid envelope we did not have. */
  accept(entry: RelayEntry, from: WhisperPeer): void
}

/**
 * The steps of one code-1 packet, one envelope each (run them in slices). geth: an undecodable packet is
 * fatal at once; invalid envelopes are processed, then the peer is dropped (ShhProtocolError at the end).
 * First every envelope is hashed, and only unknown ones are copied out of the packet (a pooled envelope
 * must not pin the whole packet) and decoded, so an undecodable packet changes nothing. geth never puts an
 * envelope twice in one bundle, so a repeat is abuse, caught before any PoW.
 */
export function* inboundEnvelopeSteps(from: WhisperPeer, packet: Uint8Array, items: RlpSpan[], sink: InboundSink): Generator<void, void> {
  const inPacket = new Set<string>()
  const fresh: Array<{ raw: Uint8Array; hash: Uint8Array; hashHex: string; envelope: Envelope }> = []
  for (const item of items) {
    if (from.gone) return
    const view = packet.subarray(item.start, item.end)
    const hash = keccak256(view)
    const hashHex = hexOf(hash)
    if (inPacket.has(hashHex)) throw new ShhProtocolError(`envelope ${hashHex} repeated in one packet`)
    inPacket.add(hashHex)
    const known = sink.known(hashHex)
    if (known !== undefined) from.markKnown(known)
    else {
      const raw = view.slice()
      fresh.push({ raw, hash, hashHex, envelope: decodeOrThrow(raw) })
    }
    yield
  }
  let violation: string | null = null
  let invalid = 0
  for (const { raw, hash, hashHex, envelope } of fresh) {
    if (from.gone) return
    const ctx = sink.validityContext()
    const verdict = checkEnvelope(envelope, ctx)
    if (verdict.kind === 'violation') {
      violation ??= verdict.message
      if (++invalid >= MAX_INVALID_PER_PACKET) break
      continue
    }
    if (verdict.kind === 'drop') continue
    const entry: RelayEntry = {
      envelope,
      encoded: raw,
      hash,
      hashHex,
      pow: verdict.pow,
      bloom: verdict.bloom,
      receivedAt: ctx.now,
      knownBy: 0
    }
    from.markKnown(entry)
    sink.accept(entry, from)
    yield
  }
  if (violation !== null) throw new ShhProtocolError(`invalid envelope: ${violation}`)
}

/** A direct (code 127) envelope, never validated nor pooled, described like a pooled one for filters. */
export function describeDirect(raw: Uint8Array, nowMs: number): PooledEnvelope {
  const envelope = decodeOrThrow(raw)
  const hash = keccak256(raw)
  const pow = envelope.ttl === 0 ? 0 : powOf(envelope)
  return {
    envelope,
    encoded: raw,
    hash,
    hashHex: hexOf(hash),
    pow,
    bloom: topicToBloom(envelope.topic),
    receivedAt: Math.floor(nowMs / 1000)
  }
}

/** Buffer's hex is a flat string; noble's bytesToHex builds a rope that every Map lookup then flattens. */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

function decodeOrThrow(raw: Uint8Array): Envelope {
  try {
    return decodeEnvelope(raw)
  } catch (err) {
    throw new ShhProtocolError(`undecodable envelope: ${(err as Error).message}`)
  }
}
