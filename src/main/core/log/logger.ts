import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { redactText, redactValue } from './redact'

export type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface LogRecord {
  time: string
  level: Level
  scope: string
  message: string
  fields?: unknown
}

export type LogSink = (record: LogRecord) => void

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  child(scope: string): Logger
}

/** Appends one JSON line per record; the folder (and a missing profile above it) is created private on first use. */
export function fileSink(path: string): LogSink {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  return (record) => appendFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 })
}

/** Human-readable lines on stderr, so a command's stdout stays machine-readable. */
export function consoleSink(): LogSink {
  return (record) => {
    const fields = record.fields === undefined ? '' : ` ${JSON.stringify(record.fields)}`
    process.stderr.write(`${record.time} ${record.level.padEnd(5)} [${record.scope}] ${record.message}${fields}\n`)
  }
}

export function createLogger(
  scope: string,
  options: { sinks: LogSink[]; level?: Level; now?: () => Date } = { sinks: [] }
): Logger {
  const threshold = ORDER[options.level ?? 'info']
  const now = options.now ?? (() => new Date())
  const write = (level: Level, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < threshold) return
    const record: LogRecord = { time: now().toISOString(), level, scope, message: redactText(message) }
    if (fields !== undefined) record.fields = redactValue(fields)
    for (const sink of options.sinks) {
      try {
        sink(record)
      } catch {
        // A full disk or a closed stderr must not take the app down with it.
      }
    }
  }
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (child) => createLogger(`${scope}:${child}`, options)
  }
}

export const silentLogger: Logger = createLogger('silent')
