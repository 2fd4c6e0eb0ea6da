import { z } from 'zod'
import { getParsed, iterateParsed } from '../storage/parsed-records'
import type { MessengerContext } from './context'
import { HISTORY_PREFIX, SEARCH_BACKFILL_KEY, StoredMessage } from './records'
import type { SearchIndex } from './search-index'
import { TERMS_VERSION } from './search-terms'
import { Transaction } from './transaction'

/** Messages indexed per step: one step is one short task on the serial queue and one store batch. */
export const BACKFILL_BATCH = 250
/** Pause between steps, so sending and receiving keep their turn. */
const BACKFILL_PAUSE_MS = 20

const BackfillState = z.object({
  /** The next history record key to index; absent once everything stored before the index is in it. */
  next: z.string().max(1024).optional(),
  done: z.boolean(),
  /** The TERMS_VERSION the history is being (or was) indexed with; absent before there were versions (1). */
  version: z.number().int().optional()
})
type BackfillState = z.infer<typeof BackfillState>

/**
 * Indexes the history stored before the search index existed, once, in the background: bounded steps on
 * the serial queue (so no step races a write or a deleted chat), each committing its postings with the
 * position reached, so a restart goes on where the last step ended. Messages stored meanwhile are indexed
 * by their own write; indexing one twice writes the same records. When the terms change (TERMS_VERSION), it
 * runs once more over everything: old postings stay valid and the new terms are added beside them.
 */
export class SearchBackfill {
  private state: BackfillState = { done: false }
  private timer: unknown = null

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'serial' | 'timers' | 'log' | 'stopped'>,
    private readonly index: SearchIndex
  ) {}

  get done(): boolean {
    return this.state.done
  }

  async start(): Promise<void> {
    // An unreadable position starts the backfill over: indexing a message twice writes the same records.
    const saved = await getParsed(this.ctx.store, SEARCH_BACKFILL_KEY, BackfillState, () => undefined)
    this.state = saved && (saved.version ?? 1) === TERMS_VERSION ? saved : { done: false, version: TERMS_VERSION }
    if (!this.state.done) this.schedule(0)
  }

  stop(): void {
    if (this.timer !== null) this.ctx.timers.clearTimeout(this.timer)
    this.timer = null
  }

  private schedule(ms: number): void {
    this.timer = this.ctx.timers.setTimeout(() => {
      this.timer = null
      if (this.ctx.stopped()) return
      this.ctx
        .serial(() => this.step())
        .then((more) => {
          if (more && !this.ctx.stopped()) this.schedule(BACKFILL_PAUSE_MS)
        })
        .catch((error: unknown) => this.ctx.log.error('search index backfill stopped', { error }))
    }, ms)
  }

  /** Indexes the next batch; returns whether there is more. */
  async step(): Promise<boolean> {
    if (this.state.done || this.ctx.stopped()) return false
    const tx = new Transaction()
    let last: string | undefined
    let count = 0
    const range = this.state.next === undefined ? { limit: BACKFILL_BATCH } : { from: this.state.next, limit: BACKFILL_BATCH }
    // An unreadable row is left out here as in every page read (history-store.ts reports it there).
    for await (const [key, message] of iterateParsed(this.ctx.store, HISTORY_PREFIX, StoredMessage, () => undefined, range)) {
      this.index.add(tx, message)
      last = key
      count++
    }
    // The smallest key after `last`: a key with one more character sorts right after it.
    const next: BackfillState =
      count < BACKFILL_BATCH || last === undefined
        ? { done: true, version: TERMS_VERSION }
        : { next: `${last}\u0000`, done: false, version: TERMS_VERSION }
    tx.putJson(SEARCH_BACKFILL_KEY, next)
    await tx.commit(this.ctx.store)
    this.state = next
    return !next.done
  }
}
