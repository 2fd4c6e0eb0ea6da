import { type EventName, type EventPayload, events } from '../../../shared/api'
import type { Logger } from '../log/logger'

type Listener = (event: EventName, payload: unknown) => void

/**
 * Fans typed events out to every connected transport. Payloads are validated on the way out: one that fails
 * its schema is a bug in the core, logged here by name and dropped, never thrown back into the domain code
 * that emitted it (which has committed its work and has other effects to run).
 */
export class EventHub {
  private readonly listeners = new Set<Listener>()

  constructor(private readonly log: Logger) {}

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].safeParse(payload)
    if (!checked.success) {
      this.log.error('event dropped: it does not match its schema', { event, issues: checked.error.issues.slice(0, 5) })
      return
    }
    for (const listener of this.listeners) {
      try {
        listener(event, checked.data)
      } catch (error) {
        this.log.error('event listener failed', { event, error })
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
