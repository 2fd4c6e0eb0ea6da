/** Milliseconds since the Unix epoch; injected so tests control time. */
export type NowMs = () => number

export interface ClockAndTimestamp {
  /** Lamport clock for ChatMessage.clock and similar fields. */
  readonly clock: bigint
  /** Wall-clock ms for ChatMessage.timestamp (display only). */
  readonly timestamp: bigint
}

/**
 * The sender's "bid" (status-go Chat.NextClockAndTimestamp): wall time, unless
 * the chat has already seen a clock at or past it, then one more than that.
 */
export function nextClockAndTimestamp(lastClock: bigint, nowMs: number): ClockAndTimestamp {
  const now = BigInt(Math.floor(nowMs))
  const clock = lastClock === 0n || lastClock < now ? now : lastClock + 1n
  return { clock, timestamp: now }
}

/** A chat's last clock after seeing `received` (its own sends or peers' messages). */
export function observeClock(lastClock: bigint, received: bigint): bigint {
  return received > lastClock ? received : lastClock
}

/** Per-chat Lamport clock bound to a time source. */
export class ChatClock {
  constructor(
    private lastClock = 0n,
    private readonly now: NowMs = Date.now
  ) {}

  get last(): bigint {
    return this.lastClock
  }

  /** Clock and timestamp for a message we are about to send; the clock advances. */
  next(): ClockAndTimestamp {
    const stamp = nextClockAndTimestamp(this.lastClock, this.now())
    this.lastClock = stamp.clock
    return stamp
  }

  observe(received: bigint): void {
    this.lastClock = observeClock(this.lastClock, received)
  }
}

/** Display order: by clock, ties broken by message id (status-go's cursor is clock ‖ id). */
export function compareByClock(a: { clock: bigint; id: string }, b: { clock: bigint; id: string }): number {
  if (a.clock !== b.clock) return a.clock < b.clock ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Messages at or below a chat's deleted-at clock stay hidden after "clear history". */
export function isClearedByDeletion(clock: bigint, deletedAtClock: bigint): boolean {
  return deletedAtClock > 0n && clock <= deletedAtClock
}
