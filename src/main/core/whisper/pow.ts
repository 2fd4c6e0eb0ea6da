import { keccak256Parts, keccakWithPrefix } from '../primitives/keccak'
import { encodeEnvelopeWithoutNonce, envelopeSize, shortRlpHead, type Envelope } from './envelope'
import { WhisperError } from './errors'

/** Number of leading zero bits of a big-endian hash. */
export function leadingZeroBits(hash: Uint8Array): number {
  for (let i = 0; i < hash.length; i++) {
    const b = hash[i] as number
    if (b !== 0) return i * 8 + Math.clz32(b) - 24
  }
  return hash.length * 8
}

/** Scratch for the 8-byte nonce: keccak256Parts copies it into the hasher before returning. */
const nonceScratch = new Uint8Array(8)
const nonceView = new DataView(nonceScratch.buffer)

/**
 * PoW exactly as geth ≥ 1.9: 2^leadingZeros(keccak256(shortRlp ‖ nonce8BE)) / len(shortRlp) / (ttl + extraTtl),
 * evaluated in float64 in that order so results match geth bit for bit. `extraTtl` is the penalty geth
 * applies to envelopes that claim to be sent slightly in the future (validity.ts). shortRlp is hashed
 * in pieces, never built: this runs once for every envelope a relay receives.
 */
export function powOf(e: Envelope, extraTtl = 0): number {
  const head = shortRlpHead(e)
  nonceView.setBigUint64(0, e.nonce)
  const hash = keccak256Parts([head, e.data, nonceScratch])
  return 2 ** leadingZeroBits(hash) / (head.length + e.data.length) / (e.ttl + extraTtl)
}

/**
 * Leading zero bits a sealer must reach for `powTarget`; geth sizes this with 20 + len(data)
 * (not len(shortRlp) as the checker does), and never asks for fewer than 1 bit.
 */
export function targetBits(powTarget: number, e: Pick<Envelope, 'data' | 'ttl'>): number {
  return Math.max(1, Math.ceil(Math.log2(powTarget * envelopeSize(e) * e.ttl)))
}

export interface SealOptions {
  /** PoW target: > 0 mine until reached (or fail), 0 no mining, < 0 mine for the whole work time, keep the best. */
  target: number
  workTimeMs: number
  /** Millisecond clock, read once per 1024 hashes like geth. */
  now?: () => number
}

const HASHES_PER_CLOCK_READ = 1024

/** A freshly mined envelope and its PoW, known from the mining itself (no hash to recompute). */
export interface SealedEnvelope {
  envelope: Envelope
  pow: number
}

/** Mine a nonce (geth `Seal`); the envelope alone. */
export function seal(unsealed: Omit<Envelope, 'nonce'>, options: SealOptions): Envelope {
  return mine(unsealed, options).envelope
}

/**
 * Mine a nonce (geth `Seal`) and report the envelope's PoW. The shortRlp prefix is absorbed once; each
 * try only hashes the 8-byte nonce on a copy of that state. Throws `pow-failed` when a positive target is not reached
 * within the work time. With a negative target, Expiry is extended by the work time before mining
 * (as geth does), since the sender spends that long before the envelope leaves.
 */
export function mine(unsealed: Omit<Envelope, 'nonce'>, options: SealOptions): SealedEnvelope {
  const { target, workTimeMs } = options
  const now = options.now ?? Date.now
  if (!Number.isFinite(target)) throw new WhisperError('bad-argument', `PoW target must be finite, got ${target}`)
  if (target === 0) {
    const envelope = { ...unsealed, nonce: 0n }
    return { envelope, pow: powOf(envelope) }
  }

  const base: Omit<Envelope, 'nonce'> =
    target < 0 ? { ...unsealed, expiry: unsealed.expiry + Math.ceil(workTimeMs / 1000) } : { ...unsealed }
  const wantBits = target > 0 ? targetBits(target, base) : Number.POSITIVE_INFINITY
  const shortRlp = encodeEnvelopeWithoutNonce(base)
  const hashNonce = keccakWithPrefix(shortRlp)
  const buf = new Uint8Array(8)
  const view = new DataView(buf.buffer)

  let bestNonce = 0
  let bestBits = 0
  let nonce = 0
  // powOf from the bits the mining found: the same float64 operations in the same order.
  const result = (bits: number): SealedEnvelope => {
    const envelope = { ...base, nonce: BigInt(bestNonce) }
    return { envelope, pow: nonce === 0 ? powOf(envelope) : 2 ** bits / shortRlp.length / base.ttl }
  }
  const finish = now() + workTimeMs
  while (now() < finish) {
    for (let i = 0; i < HASHES_PER_CLOCK_READ; i++, nonce++) {
      view.setUint32(0, Math.floor(nonce / 0x1_0000_0000))
      view.setUint32(4, nonce >>> 0)
      const bits = leadingZeroBits(hashNonce(buf))
      if (bits > bestBits) {
        bestBits = bits
        bestNonce = nonce
        if (bits >= wantBits) return result(bits)
      }
    }
  }
  if (target > 0) {
    throw new WhisperError(
      'pow-failed',
      `PoW target ${target} (${wantBits} bits) not reached in ${workTimeMs} ms (best ${bestBits} bits)`
    )
  }
  return result(bestBits)
}
