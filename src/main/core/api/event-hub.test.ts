import { describe, expect, it } from 'vitest'
import { createLogger, type LogRecord } from '../log/logger'
import { EventHub } from './event-hub'

describe('EventHub', () => {
  it('logs and drops an event that fails its schema instead of throwing at the emitter', () => {
    const records: LogRecord[] = []
    const hub = new EventHub(createLogger('test', { sinks: [(record) => records.push(record)] }))
    const seen: unknown[] = []
    hub.subscribe((event, payload) => seen.push([event, payload]))
    const bad = { state: 'nonsense', syncedUntil: null, gap: null } as never
    expect(() => hub.emit('history.state', bad)).not.toThrow()
    expect(seen).toEqual([])
    expect(records.map((r) => [r.level, r.message, (r.fields as { event?: string } | undefined)?.event])).toEqual([['error', 'event dropped: it does not match its schema', 'history.state']])

    hub.emit('history.state', { state: 'idle', syncedUntil: null, gap: null })
    expect(seen).toHaveLength(1)
  })

  it('keeps delivering to the other listeners when one throws', () => {
    const records: LogRecord[] = []
    const hub = new EventHub(createLogger('test', { sinks: [(record) => records.push(record)] }))
    const seen: string[] = []
    hub.subscribe(() => {
      throw new Error('a broken transport')
    })
    hub.subscribe((event) => seen.push(event))
    hub.emit('history.state', { state: 'idle', syncedUntil: null, gap: null })
    expect(seen).toEqual(['history.state'])
    expect(records.map((r) => r.message)).toEqual(['event listener failed'])
  })
})
