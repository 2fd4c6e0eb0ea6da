import { describe, expect, it } from 'vitest'
import type { Chat, MessageChange } from '../../../shared/api'
import { createLogger, type LogRecord } from '../log/logger'
import { outgoing } from '../testing/messenger-parts'
import { UPSERT_SLICE } from './event-batch'
import { EventHub } from './event-hub'

/** A hub whose ticks end when the test says, with every delivered event and log record kept. */
function hub() {
  const records: LogRecord[] = []
  const flushes: Array<() => void> = []
  const events = new EventHub(createLogger('test', { sinks: [(record) => records.push(record)] }), (flush) => flushes.push(flush))
  const seen: Array<[string, unknown]> = []
  events.subscribe((event, payload) => seen.push([event, payload]))
  const endTick = () => {
    for (const flush of flushes.splice(0)) flush()
  }
  return { events, records, seen, endTick }
}

const chat = (id: string, unread: number): Chat => ({ id, kind: 'public', name: id, joinedAt: 1, lastActivity: 1, unread, lastReadClock: 0 })

describe('EventHub', () => {
  it('logs and drops an event that fails its schema instead of throwing at the emitter', () => {
    const { events, records, seen, endTick } = hub()
    const bad = { state: 'nonsense', syncedUntil: null, gap: null } as never
    expect(() => events.emit('history.state', bad)).not.toThrow()
    endTick()
    expect(seen).toEqual([])
    expect(records.map((r) => [r.level, r.message, (r.fields as { event?: string } | undefined)?.event])).toEqual([['error', 'event dropped: it does not match its schema', 'history.state']])

    events.emit('history.state', { state: 'idle', syncedUntil: null, gap: null })
    endTick()
    expect(seen).toHaveLength(1)
  })

  it('keeps delivering to the other listeners when one throws', () => {
    const { events, records, seen, endTick } = hub()
    events.subscribe(() => {
      throw new Error('a broken transport')
    })
    events.emit('history.state', { state: 'idle', syncedUntil: null, gap: null })
    endTick()
    expect(seen.map(([name]) => name)).toEqual(['history.state'])
    expect(records.map((r) => r.message)).toEqual(['event listener failed'])
  })

  it('delivers a tick of changes as one event a name, each message once in its latest state, in first-emitted order', () => {
    const { events, seen, endTick } = hub()
    for (let clock = 1; clock <= 100; clock++) {
      events.emit('messages.upserted', { messages: [outgoing('news', clock, { status: 'received', outgoing: false })] })
      events.emit('chats.changed', { chats: [chat('news', clock)], removed: [] })
    }
    events.emit('messages.upserted', { messages: [outgoing('news', 7, { status: 'sending' })] })
    events.emit('messages.upserted', { messages: [outgoing('news', 7, { status: 'sent' })] })
    expect(seen).toEqual([])
    endTick()
    expect(seen.map(([name]) => name)).toEqual(['messages.upserted', 'chats.changed'])
    const messages = (seen[0]![1] as { messages: MessageChange[] }).messages
    expect(messages.map((m) => m.clock)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(messages[6]!.status).toBe('sent')
    expect(seen[1]![1]).toEqual({ chats: [chat('news', 100)], removed: [] })

    endTick()
    expect(seen).toHaveLength(2)
  })

  it('carries authors by key and name, without their identicons', () => {
    const { events, seen, endTick } = hub()
    events.emit('messages.upserted', { messages: [outgoing('news', 1)] })
    endTick()
    const [message] = (seen[0]![1] as { messages: MessageChange[] }).messages
    expect(message!.author).toEqual({ publicKey: `0x04${'ab'.repeat(64)}`, alias: 'Me Myself' })
  })

  it('merges chats changed and removed within a tick, the later change winning', () => {
    const { events, seen, endTick } = hub()
    events.emit('chats.changed', { chats: [chat('a', 1), chat('b', 1)], removed: [] })
    events.emit('chats.changed', { chats: [], removed: ['a'] })
    events.emit('chats.changed', { chats: [chat('b', 2), chat('c', 0)], removed: ['d'] })
    events.emit('chats.changed', { chats: [chat('d', 0)], removed: [] })
    endTick()
    expect(seen).toEqual([['chats.changed', { chats: [chat('b', 2), chat('c', 0), chat('d', 0)], removed: ['a'] }]])
  })

  it('keeps only the latest of a whole-state event within a tick', () => {
    const { events, seen, endTick } = hub()
    events.emit('history.state', { state: 'fetching', syncedUntil: null, gap: null })
    events.emit('history.state', { state: 'done', syncedUntil: 5, gap: null })
    endTick()
    expect(seen).toEqual([['history.state', { state: 'done', syncedUntil: 5, gap: null }]])
  })

  it('delivers the batch at once when flushed (before a call answers), and the end of the tick then finds nothing', () => {
    const { events, seen, endTick } = hub()
    events.emit('history.state', { state: 'fetching', syncedUntil: null, gap: null })
    events.flush()
    expect(seen.map(([name]) => name)).toEqual(['history.state'])
    endTick()
    expect(seen).toHaveLength(1)
    events.emit('history.state', { state: 'done', syncedUntil: 5, gap: null })
    endTick()
    expect(seen).toHaveLength(2)
  })

  it('sends a long batch of messages in slices', () => {
    const { events, seen, endTick } = hub()
    events.emit('messages.upserted', { messages: Array.from({ length: 2 * UPSERT_SLICE + 1 }, (_, i) => outgoing('a', i + 1)) })
    endTick()
    expect(seen.map(([, payload]) => (payload as { messages: MessageChange[] }).messages.length)).toEqual([UPSERT_SLICE, UPSERT_SLICE, 1])
  })
})
