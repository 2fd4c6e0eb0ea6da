import { bloomMatches, topicToBloom } from './bloom'
import { envelopeSize, sentTime, type Envelope } from './envelope'
import { powOf } from './pow'

/** geth DefaultSyncAllowance: how far a peer's clock may be off before we call it a violation. */
export const SYNC_ALLOWANCE_SECONDS = 10

export interface ValidityContext {
  /** Local UNIX seconds. */
  now: number
  minPow: number
  /** The previous requirement, honoured for a while after a change (geth MinPowTolerance). */
  minPowTolerance: number
  /** Our interest; null accepts everything. */
  bloom: Uint8Array | null
  /** The previous bloom, honoured for a while after a change; null accepts everything. */
  bloomTolerance: Uint8Array | null
  maxMessageSize: number
}

export type ViolationReason = 'future' | 'too-old' | 'oversize' | 'ttl-zero' | 'low-pow' | 'bloom-mismatch'

export type Verdict =
  | { kind: 'accept'; pow: number; bloom: Uint8Array }
  /** Harmless, e.g. expired less than 20 s ago: ignore without blaming the peer. */
  | { kind: 'drop' }
  /** geth would disconnect the sender. */
  | { kind: 'violation'; reason: ViolationReason; message: string }

/**
 * geth `add()` admission rules (spec §2.1), plus a TTL-0 rejection geth lacks (its PoW would be +Inf).
 * `minedPow`: the PoW our own mining just reached, used instead of hashing again when no clock skew
 * penalty applies.
 */
export function checkEnvelope(e: Envelope, ctx: ValidityContext, minedPow?: number): Verdict {
  const { now } = ctx
  const sent = sentTime(e)
  let extraTtl = 0
  if (sent > now) {
    if (sent - SYNC_ALLOWANCE_SECONDS > now) {
      return violation('future', `envelope sent ${sent - now} s in the future`)
    }
    // Early envelopes count as living longer, which lowers their PoW (+1 s for latency, as geth).
    extraTtl = sent - now + 1
  }
  if (e.expiry < now) {
    if (e.expiry + 2 * SYNC_ALLOWANCE_SECONDS < now) {
      return violation('too-old', `envelope expired ${now - e.expiry} s ago`)
    }
    return { kind: 'drop' }
  }
  const size = envelopeSize(e)
  if (size > ctx.maxMessageSize) {
    return violation('oversize', `envelope of ${size} bytes exceeds ${ctx.maxMessageSize}`)
  }
  if (e.ttl === 0) return violation('ttl-zero', 'envelope TTL is 0')
  const pow = minedPow !== undefined && extraTtl === 0 ? minedPow : powOf(e, extraTtl)
  if (pow < ctx.minPow && pow < ctx.minPowTolerance) {
    return violation('low-pow', `envelope PoW ${pow} below required ${ctx.minPow}`)
  }
  const bloom = topicToBloom(e.topic)
  if (!bloomMatches(ctx.bloom, bloom) && !bloomMatches(ctx.bloomTolerance, bloom)) {
    return violation('bloom-mismatch', 'envelope topic does not match our bloom filter')
  }
  return { kind: 'accept', pow, bloom }
}

function violation(reason: ViolationReason, message: string): Verdict {
  return { kind: 'violation', reason, message }
}
