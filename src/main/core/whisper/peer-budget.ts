/** How much work one peer may make us do: token buckets refilled continuously, drawn per inbound packet. */
export interface PeerBudgetLimits {
  /** Envelopes (code-1 items) per second, sustained. Trusted peers (mailservers we asked) have no budget. */
  envelopesPerSecond: number
  /** Envelopes that may arrive at once, e.g. a peer's whole pool right after the handshake. */
  envelopeBurst: number
  /** Inbound payload bytes (every code) per second, sustained. */
  bytesPerSecond: number
  bytesBurst: number
}

/**
 * A geth peer sends its whole pool once when it connects, then what it receives; a 10 MiB packet
 * holds at most ~35,000 envelopes of a padded message. The bursts fit that first sync twice over,
 * the rates are far above what a 2020 Status network carried per connection.
 */
export const DEFAULT_PEER_BUDGET: PeerBudgetLimits = {
  envelopesPerSecond: 6000,
  envelopeBurst: 100_000,
  bytesPerSecond: 4 * 1024 * 1024,
  bytesBurst: 32 * 1024 * 1024
}

/** A token bucket refilled continuously at `rate` per second up to `burst`. */
export class Bucket {
  private tokens: number
  private at: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number
  ) {
    this.tokens = burst
    this.at = now
  }

  take(amount: number, now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate)
    this.at = now
    if (amount > this.tokens) return false
    this.tokens -= amount
    return true
  }
}

export class PeerBudget {
  private readonly envelopes: Bucket
  private readonly bytes: Bucket

  constructor(
    limits: PeerBudgetLimits,
    private readonly now: () => number
  ) {
    const t = now()
    this.envelopes = new Bucket(limits.envelopesPerSecond, limits.envelopeBurst, t)
    this.bytes = new Bucket(limits.bytesPerSecond, limits.bytesBurst, t)
  }

  /** Null while within budget, else what ran out. */
  spendBytes(bytes: number): string | null {
    return this.bytes.take(bytes, this.now()) ? null : `more than its budget of bytes (${bytes} more)`
  }

  spendEnvelopes(count: number): string | null {
    return this.envelopes.take(count, this.now()) ? null : `more than its budget of envelopes (${count} more)`
  }
}
