import { bytesToHex } from '@noble/hashes/utils.js'
import { isFullBloom } from './bloom'
import { WhisperError } from './errors'
import type { ValidityContext } from './validity'

/** How long a previous PoW/bloom requirement stays tolerated after a change (geth: 10 s). */
export const TOLERANCE_MS = 10_000

interface Tolerated<T> {
  current: T
  previous: T
  changedAt: number
}

/**
 * What we ask of inbound envelopes (minimum PoW, and as a light node the bloom of our topics), with the
 * previous value still honoured for TOLERANCE_MS after a change, since peers learn of it only later.
 */
export class LocalRequirements {
  private pow: Tolerated<number>
  private interest: Tolerated<Uint8Array | null>

  constructor(
    minPow: number,
    bloom: Uint8Array | null,
    private readonly maxMessageSize: number,
    private readonly now: () => number
  ) {
    assertPow(minPow)
    this.pow = { current: minPow, previous: minPow, changedAt: 0 }
    this.interest = { current: bloom, previous: bloom, changedAt: 0 }
  }

  get minPow(): number {
    return this.pow.current
  }

  /** null: every topic. */
  get bloom(): Uint8Array | null {
    return this.interest.current
  }

  setMinPow(pow: number): void {
    assertPow(pow)
    this.pow = { current: pow, previous: this.pow.current, changedAt: this.now() }
  }

  /** False when `next` is what we already ask; a full bloom is kept as null (every topic). */
  setBloom(next: Uint8Array): boolean {
    const prev = this.interest.current
    if (prev !== null && bytesToHex(prev) === bytesToHex(next)) return false
    this.interest = { current: isFullBloom(next) ? null : next, previous: prev, changedAt: this.now() }
    return true
  }

  validityContext(): ValidityContext {
    const now = this.now()
    const tolerate = <T>(t: Tolerated<T>): T => (now - t.changedAt < TOLERANCE_MS ? t.previous : t.current)
    return {
      now: Math.floor(now / 1000),
      minPow: this.pow.current,
      minPowTolerance: tolerate(this.pow),
      bloom: this.interest.current,
      bloomTolerance: tolerate(this.interest),
      maxMessageSize: this.maxMessageSize
    }
  }
}

function assertPow(pow: number): void {
  if (!(pow >= 0) || !Number.isFinite(pow)) throw new WhisperError('bad-argument', `bad minPow ${pow}`)
}
