import type { Logger } from './logger'

export interface RateLimitOptions {
  /** Lines of one kind (level and message) written per window; the rest are counted. */
  burst: number
  windowMs: number
  now?: () => number
}

interface Window {
  startedAt: number
  written: number
  suppressed: number
}

/**
 * A logger for lines that strangers can cause (a refused request, a bad frame): each kind of line is
 * written at most `burst` times per window, so a flood cannot fill the disk or bury other lines. The
 * first line of the next window says how many were left out.
 */
export function rateLimited(log: Logger, options: RateLimitOptions): Logger {
  const now = options.now ?? Date.now
  const windows = new Map<string, Window>()
  const limited =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      const kind = `${level} ${message}`
      const time = now()
      let window = windows.get(kind)
      let suppressed = 0
      if (!window || time - window.startedAt >= options.windowMs) {
        suppressed = window?.suppressed ?? 0
        window = { startedAt: time, written: 0, suppressed: 0 }
        windows.set(kind, window)
      }
      if (window.written >= options.burst) {
        window.suppressed += 1
        return
      }
      window.written += 1
      log[level](message, suppressed > 0 ? { ...fields, suppressedBefore: suppressed } : fields)
    }
  return {
    debug: limited('debug'),
    info: limited('info'),
    warn: limited('warn'),
    error: limited('error'),
    child: (scope) => rateLimited(log.child(scope), options)
  }
}
