import { describe, expect, it } from 'vitest'
import { createLogger, type LogRecord } from './logger'
import { rateLimited } from './rate-limit'

function recorder() {
  const records: LogRecord[] = []
  let time = 0
  const log = rateLimited(createLogger('test', { sinks: [(record) => records.push(record)] }), { burst: 3, windowMs: 1000, now: () => time })
  return { log, records, advance: (ms: number) => (time += ms) }
}

describe('rate-limited logging', () => {
  it('writes a burst of each kind per window and counts the rest', () => {
    const { log, records, advance } = recorder()
    for (let n = 0; n < 10_000; n++) log.warn('refused API connection', { reason: 'Unauthorized' })
    log.warn('another kind')
    expect(records.map((r) => r.message)).toEqual([...Array(3).fill('refused API connection'), 'another kind'])
    advance(1000)
    log.warn('refused API connection', { reason: 'Unauthorized' })
    expect(records.at(-1)?.fields).toEqual({ reason: 'Unauthorized', suppressedBefore: 9_997 })
    expect(records).toHaveLength(5)
  })

  it('limits levels separately and keeps child scopes limited', () => {
    const { log, records } = recorder()
    const child = log.child('web')
    for (let n = 0; n < 100; n++) {
      child.error('static file failed')
      child.info('static file failed')
    }
    expect(records).toHaveLength(6)
    expect(records[0]?.scope).toBe('test:web')
  })
})
