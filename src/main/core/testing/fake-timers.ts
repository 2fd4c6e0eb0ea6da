import type { Timers } from '../runtime/timers'

interface Pending {
  at: number
  seq: number
  fn: () => void
  every: number | null
}

/**
 * A clock and Timers that move only when told, for state-machine tests. Unlike a patched global clock, it
 * lets real I/O (the encrypted store) finish between timers: `advance` runs each due timer in time order and
 * awaits `settle` after it before looking for the next one.
 */
export class FakeClock implements Timers {
  private current: number
  private seq = 0
  private readonly pending = new Map<number, Pending>()

  constructor(
    start: number,
    private readonly settle: () => Promise<unknown> = async () => undefined
  ) {
    this.current = start
  }

  readonly now = (): number => this.current

  setTimeout(fn: () => void, ms: number): unknown {
    return this.add(fn, ms, null)
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  setInterval(fn: () => void, ms: number): unknown {
    return this.add(fn, ms, Math.max(1, ms))
  }

  clearInterval(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  /** Moves the clock `ms` on, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms
    await this.settle()
    for (;;) {
      let next: [number, Pending] | undefined
      for (const entry of this.pending) {
        if (entry[1].at <= target && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq))) next = entry
      }
      if (!next) break
      const [handle, timer] = next
      this.current = Math.max(this.current, timer.at)
      if (timer.every === null) this.pending.delete(handle)
      else timer.at += timer.every
      timer.fn()
      await this.settle()
    }
    this.current = target
  }

  private add(fn: () => void, ms: number, every: number | null): number {
    const handle = ++this.seq
    this.pending.set(handle, { at: this.current + Math.max(0, ms), seq: handle, fn, every })
    return handle
  }
}
