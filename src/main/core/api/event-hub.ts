import { type EventName, type EventPayload, events } from '../../../shared/api'

type Listener = (event: EventName, payload: unknown) => void

/**
 * Fans typed events out to every connected transport. Payloads are validated on the way out so a bug in
 * the core shows up here, named, instead of as a rejected event in some renderer.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>()

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const value = events[event].parse(payload)
    for (const listener of this.listeners) listener(event, value)
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
