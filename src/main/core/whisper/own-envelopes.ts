import { keccak256 } from '../primitives/keccak'
import { bloomMatches } from './bloom'
import { encodeEnvelope, type Envelope } from './envelope'
import { WhisperError } from './errors'
import { hexOf } from './inbound-envelopes'
import type { RelayEntry, WhisperPeer } from './peer'
import { mine } from './pow'
import { checkEnvelope, type ValidityContext } from './validity'

/** Mining budget for re-sealing one of our envelopes for a peer that asks more PoW than it has. */
const RESEAL_WORK_MS = 2000

export interface OwnEnvelopesHost {
  /** Most PoW we mine our own envelopes to. */
  readonly maxSendPow: number
  now(): number
  pooled(hashHex: string): RelayEntry | undefined
  peers(): Iterable<WhisperPeer>
  validityContext(): ValidityContext
  /** Pool and relay a re-sealed envelope (our filters saw it the first time). False if it was pooled already. */
  acceptResealed(entry: RelayEntry): boolean
  resealed(from: string, to: string): void
  onError(error: Error): void
}

/**
 * Our own posts while they are pooled: a light node still sends these to peers that connect later, and
 * they are mined again for a peer that asks more PoW than they carry.
 */
export class OwnEnvelopes {
  private readonly hashes = new Set<string>()

  constructor(private readonly host: OwnEnvelopesHost) {}

  has(hashHex: string): boolean {
    return this.hashes.has(hashHex)
  }

  add(hashHex: string): void {
    this.hashes.add(hashHex)
  }

  /** The envelope left the pool. */
  forget(hashHex: string): void {
    this.hashes.delete(hashHex)
  }

  /**
   * One of our envelopes as a pool entry, validated like any inbound one (with the PoW the mining reached,
   * not hashed again). Throws WhisperError('bad-envelope') for an invalid or already expired one.
   */
  entry(envelope: Envelope, minedPow?: number): RelayEntry {
    const encoded = encodeEnvelope(envelope)
    const hash = keccak256(encoded)
    const verdict = checkEnvelope(envelope, this.host.validityContext(), minedPow)
    if (verdict.kind !== 'accept') {
      throw new WhisperError('bad-envelope', verdict.kind === 'violation' ? verdict.message : 'envelope already expired')
    }
    return {
      envelope,
      encoded,
      hash,
      hashHex: hexOf(hash),
      pow: verdict.pow,
      bloom: verdict.bloom,
      receivedAt: Math.floor(this.host.now() / 1000),
      knownBy: 0
    }
  }

  /**
   * Our own envelopes that `peer` does not have and whose PoW is below what it now asks (within
   * maxSendPow) are mined again: same content, new nonce, hence a new hash. Peers that had the old one
   * are marked as having the new one, so only those that needed it get it. Each re-seal at least
   * doubles the PoW, so a peer nudging its requirement up step by step costs us a few re-seals per
   * envelope, not one per step. True when any was re-sealed (send them now).
   */
  resealFor(peer: WhisperPeer): boolean {
    const { host } = this
    const want = peer.powRequirement
    if (want > host.maxSendPow || this.hashes.size === 0) return false
    let resealed = false
    for (const hashHex of [...this.hashes]) {
      const old = host.pooled(hashHex)
      if (old === undefined || old.pow >= want || peer.knows(old) || !bloomMatches(peer.bloom, old.bloom)) continue
      const { expiry, ttl, topic, data } = old.envelope
      let entry: RelayEntry
      try {
        const target = Math.min(host.maxSendPow, Math.max(want, 2 * old.pow))
        const mined = mine({ expiry, ttl, topic, data }, { target, workTimeMs: RESEAL_WORK_MS, now: () => host.now() })
        entry = this.entry(mined.envelope, mined.pow)
      } catch (error) {
        host.onError(error instanceof Error ? error : new Error(String(error)))
        continue
      }
      for (const p of host.peers()) if (p.knows(old)) p.markKnown(entry)
      this.hashes.delete(hashHex)
      if (host.acceptResealed(entry)) this.hashes.add(entry.hashHex)
      host.resealed(hashHex, entry.hashHex)
      resealed = true
    }
    return resealed
  }
}
