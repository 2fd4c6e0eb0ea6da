import type { Timers } from '../../src/main/core/runtime/timers'

interface Scheduled {
  at: number
  seq: number
  run: () => void
  every: number | null
}

/**
 * A manual clock for code that takes injectable Timers: nothing fires until the test advances time, and
 * then timers fire in time order (ties in the order they were set), each at its own instant.
 */
export class FakeTimers implements Timers {
  private readonly scheduled = new Map<number, Scheduled>()
  private nextId = 1

  constructor(public now: number) {}

  readonly clock = (): number => this.now

  setTimeout(run: () => void, ms: number): unknown {
    return this.add(run, ms, null)
  }

  setInterval(run: () => void, ms: number): unknown {
    return this.add(run, ms, Math.max(1, ms))
  }

  clearTimeout(handle: unknown): void {
    this.scheduled.delete(handle as number)
  }

  clearInterval(handle: unknown): void {
    this.scheduled.delete(handle as number)
  }

  /** Timers still set, by delay from now (for asserting what is pending). */
  pending(): number[] {
    return [...this.scheduled.values()].map((s) => s.at - this.now).sort((a, b) => a - b)
  }

  /** Moves the clock `ms` forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const end = this.now + ms
    for (;;) {
      let next: [number, Scheduled] | undefined
      for (const entry of this.scheduled) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))) next = entry
      }
      if (!next) break
      const [id, timer] = next
      this.now = Math.max(this.now, timer.at)
      if (timer.every === null) this.scheduled.delete(id)
      else timer.at += timer.every
      timer.run()
    }
    this.now = end
  }

  private add(run: () => void, ms: number, every: number | null): number {
    const id = this.nextId++
    this.scheduled.set(id, { at: this.now + Math.max(0, ms), seq: id, run, every })
    return id
  }
}
