import { describe, expect, it } from 'vitest'
import { createLogger, type LogRecord } from './logger'

describe('logger', () => {
  const capture = () => {
    const records: LogRecord[] = []
    const log = createLogger('test', { sinks: [(record) => records.push(record)], level: 'debug' })
    return { log, records }
  }

  it('masks secret-bearing fields whatever their value', () => {
    const { log, records } = capture()
    log.info('unlock', { password: 'hunter2', mnemonic: 'abandon abandon', nested: { privateKey: 'x', text: 'hello' }, peer: 'a' })
    expect(JSON.stringify(records)).not.toMatch(/hunter2|abandon|hello/)
    expect(records[0]?.fields).toMatchObject({ peer: 'a' })
  })

  it('masks 32-byte hex strings and tokens in free text', () => {
    const { log, records } = capture()
    const key = 'ab'.repeat(32)
    log.warn(`failed with key ${key} at http://127.0.0.1:1/#token=s3cret`)
    expect(records[0]?.message).not.toContain(key)
    expect(records[0]?.message).not.toContain('s3cret')
  })

  it('keeps longer hex such as public keys readable', () => {
    const { log, records } = capture()
    const publicKey = `0x04${'cd'.repeat(64)}`
    log.info('contact', { peer: publicKey })
    expect(records[0]?.fields).toEqual({ peer: publicKey })
  })

  it('scopes child loggers', () => {
    const { log, records } = capture()
    log.child('whisper').debug('x')
    expect(records[0]?.scope).toBe('test:whisper')
  })
})
