import {
  DEFAULT_CALL_TIMEOUT_MS,
  describeIssues,
  failure,
  HushError,
  isMethodName,
  methods,
  type Result
} from '../../../shared/api'
import type { Logger } from '../log/logger'
import type { CallContext, HandlerTable } from './handlers'

export type Dispatch = (method: unknown, args: unknown, context: CallContext) => Promise<Result<unknown>>

/**
 * The single entry point every transport (IPC, WebSocket, in-process) goes through: the method name and the
 * arguments are validated before a handler runs, the handler's result is validated before it leaves, a slow
 * handler is cut off with TIMEOUT (its context's signal aborts, so queued work is dropped), and an unexpected exception becomes INTERNAL without leaking its stack.
 */
export function createDispatch(handlers: HandlerTable, log: Logger): Dispatch {
  return async (method, args, context) => {
    if (!isMethodName(method)) {
      return failure('UNKNOWN_METHOD', `Unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 64)) : typeof method}`)
    }
    const spec = methods[method]
    const parsed = spec.args.safeParse(args ?? {})
    if (!parsed.success) {
      return failure('BAD_REQUEST', `Invalid arguments for ${method}`, describeIssues(parsed.error))
    }
    const timeoutMs = spec.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
    let timer: ReturnType<typeof setTimeout> | undefined
    const abort = new AbortController()
    try {
      const handler = handlers[method] as (a: unknown, c: CallContext) => unknown
      const value = await Promise.race([
        Promise.resolve().then(() => handler(parsed.data, { ...context, signal: abort.signal })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const timeout = new HushError('TIMEOUT', `${method} did not finish within ${timeoutMs} ms`)
            reject(timeout)
            abort.abort(timeout)
          }, timeoutMs)
        })
      ])
      const checked = spec.result.safeParse(value)
      if (!checked.success) {
        log.error('handler returned a value outside its contract', { method, issues: describeIssues(checked.error) })
        return failure('INTERNAL', `${method} produced an invalid result`)
      }
      return { ok: true, value: checked.data }
    } catch (error) {
      if (error instanceof HushError) return failure(error.code, error.message, error.details, error.reason)
      log.error('handler failed', { method, error })
      return failure('INTERNAL', `${method} failed unexpectedly`)
    } finally {
      clearTimeout(timer)
    }
  }
}
