import type { PooledEnvelope } from './pool'
import { runInSlices } from './slices'

/**
 * Direct envelopes (code 127, a mailserver's history) go to the filters in slices, after the packet that
 * brought them: the peer's next packet (the page's completion) is read meanwhile, so the next page can be
 * asked for while this one is decrypted, and the event loop is never held for a whole page.
 */
export class DirectDelivery {
  /** Not yet through the filters, oldest first from `head`. */
  private queue: Array<PooledEnvelope | undefined> = []
  private head = 0
  private draining: Promise<void> | null = null

  constructor(
    private readonly deliver: (envelope: PooledEnvelope) => void,
    private readonly options: { sliceMs: number; stopped: () => boolean; onError: (error: Error) => void }
  ) {}

  push(envelopes: PooledEnvelope[]): void {
    for (const e of envelopes) this.queue.push(e)
    if (this.draining !== null) return
    const job = runInSlices(this.steps(), this.options.sliceMs)
    if (job === undefined) return
    this.draining = job
      .catch((error: unknown) => this.options.onError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => {
        this.draining = null
      })
  }

  /** Received but not yet through the filters. */
  get backlog(): number {
    return this.queue.length - this.head
  }

  /** Resolves once every envelope pushed so far has been through the filters. */
  delivered(): Promise<void> {
    return this.draining ?? Promise.resolve()
  }

  private *steps(): Generator<void, void> {
    while (this.head < this.queue.length && !this.options.stopped()) {
      const e = this.queue[this.head] as PooledEnvelope
      // Released as it goes: a long backlog must not keep delivered envelopes alive.
      this.queue[this.head++] = undefined
      this.deliver(e)
      yield
    }
    this.queue = []
    this.head = 0
  }
}
