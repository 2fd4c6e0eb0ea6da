import { type EventName, type EventPayload, events } from '../../../shared/api'
import type { Logger } from '../log/logger'
import { EventBatch } from './event-batch'

type Listener = (event: EventName, payload: unknown) => void

/**
 * Fans typed events out to every connected transport, batched per tick: what the core emits while handling
 * one turn (a received batch, a send and its chat's new summary) goes out as at most one event of each
 * name, merged (event-batch.ts). The host flushes before answering a call, so an answer never overtakes the
 * events of what the call changed. Payloads are validated on the way in: one that fails its schema is a bug
 * in the core, logged here by name and dropped, never thrown back into the domain code that emitted it
 * (which has committed its work and has other effects to run).
 */
export class EventHub {
  private readonly listeners = new Set<Listener>()
  private readonly batch = new EventBatch()
  private flushPending = false

  constructor(
    private readonly log: Logger,
    /** Runs the flush after the current tick (injectable for tests). */
    private readonly defer: (flush: () => void) => void = (flush) => void setImmediate(flush)
  ) {}

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].safeParse(payload)
    if (!checked.success) {
      this.log.error('event dropped: it does not match its schema', { event, issues: checked.error.issues.slice(0, 5) })
      return
    }
    if (this.batch.empty && !this.flushPending) {
      this.flushPending = true
      this.defer(() => {
        this.flushPending = false
        this.flush()
      })
    }
    this.batch.add(event, checked.data as EventPayload<E>)
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Delivers this tick's batch now (a call's answer must not overtake the events of what it changed). */
  flush(): void {
    for (const [event, payload] of this.batch.take()) {
      for (const listener of this.listeners) {
        try {
          listener(event, payload)
        } catch (error) {
          this.log.error('event listener failed', { event, error })
        }
      }
    }
  }
}
