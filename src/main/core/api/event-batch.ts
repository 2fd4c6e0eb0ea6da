import type { Chat, EventName, EventPayload } from '../../../shared/api'

/** Largest messages.upserted event: a longer batch goes out in slices. */
export const UPSERT_SLICE = 500

type Payloads = { [E in EventName]: EventPayload<E> }
type Merge<E extends EventName> = (earlier: Payloads[E], later: Payloads[E]) => Payloads[E]

/**
 * How two events of one name emitted in the same tick become one. Messages and chats are deltas, merged by
 * id with the later state winning (a message sent and acknowledged within a tick is announced once, as
 * delivered); every other event carries a whole state, so the later one replaces the earlier.
 */
const merges: { [E in EventName]?: Merge<E> } = {
  'messages.upserted': (earlier, later) => {
    const byId = new Map(earlier.messages.map((message) => [message.id, message]))
    for (const message of later.messages) byId.set(message.id, message)
    return { messages: [...byId.values()] }
  },
  'chats.changed': (earlier, later) => {
    const chats = new Map<string, Chat>(earlier.chats.map((chat) => [chat.id, chat]))
    const removed = new Set(earlier.removed)
    for (const chat of later.chats) {
      removed.delete(chat.id)
      chats.set(chat.id, chat)
    }
    for (const id of later.removed) {
      chats.delete(id)
      removed.add(id)
    }
    return { chats: [...chats.values()], removed: [...removed] }
  }
}

/** The events of one tick, one per name, in the order each name was first emitted. */
export class EventBatch {
  private readonly pending = new Map<EventName, unknown>()

  get empty(): boolean {
    return this.pending.size === 0
  }

  add<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const earlier = this.pending.get(event) as Payloads[E] | undefined
    const merge = merges[event] as Merge<E> | undefined
    this.pending.set(event, earlier !== undefined && merge ? merge(earlier, payload as Payloads[E]) : payload)
  }

  /** Empties the batch: what to deliver, long message batches sliced. */
  take(): Array<[EventName, unknown]> {
    const out: Array<[EventName, unknown]> = []
    for (const [event, payload] of this.pending) {
      if (event !== 'messages.upserted') {
        out.push([event, payload])
        continue
      }
      const { messages } = payload as EventPayload<'messages.upserted'>
      for (let i = 0; i < messages.length; i += UPSERT_SLICE) out.push([event, { messages: messages.slice(i, i + UPSERT_SLICE) }])
    }
    this.pending.clear()
    return out
  }
}
