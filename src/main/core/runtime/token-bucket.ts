/**
 * A token bucket refilled continuously at `perSecond` tokens a second up to `burst`, full at the start. Time is
 * passed in (ms), so callers keep their own injectable clock.
 */
export class TokenBucket {
  private tokens: number
  private at: number

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number
  ) {
    this.tokens = burst
    this.at = now
  }

  /** Tokens there are at `now`. */
  available(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.at) / 1000) * this.perSecond)
    this.at = Math.max(this.at, now)
    return this.tokens
  }

  /** Takes `amount` if there is that much; otherwise takes nothing and says so. */
  take(amount: number, now: number): boolean {
    if (amount > this.available(now)) return false
    this.tokens -= amount
    return true
  }

  /** Milliseconds from `now` until there are `amount` tokens (0 if there are already). */
  waitFor(amount: number, now: number): number {
    return Math.max(0, Math.ceil(((amount - this.available(now)) * 1000) / this.perSecond))
  }

  /** Spends `amount` whether there is that much or not: the bucket empties, it never owes. */
  spend(amount: number, now: number): void {
    this.tokens = Math.max(0, this.available(now) - amount)
  }
}
