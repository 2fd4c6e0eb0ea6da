import { DEFAULT_CALL_TIMEOUT_MS, type HushBridge } from './contract'
import {
  type ArgsOf,
  type EventName,
  type EventPayload,
  events,
  type MethodName,
  methods,
  type ValueOf
} from './index'
import { describeIssues, failure, type Result, ResultEnvelope } from './result'

export interface HushClient {
  call<M extends MethodName>(method: M, args: ArgsOf<M>): Promise<Result<ValueOf<M>>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/**
 * The typed face of a bridge. Both ends validate: arguments here before they leave (a programming error
 * is reported at once), results and events on arrival (main is trusted, but a skewed build must not
 * corrupt UI state). Every call is bounded by a timeout so the UI never waits forever.
 */
export function createClient(bridge: HushBridge, options: { onInvalidEvent?: (event: string, issues: string[]) => void } = {}): HushClient {
  return {
    async call(method, args) {
      const spec = methods[method]
      const parsedArgs = spec.args.safeParse(args)
      if (!parsedArgs.success) {
        return failure('BAD_REQUEST', `Invalid arguments for ${method}`, describeIssues(parsedArgs.error))
      }
      const timeoutMs = spec.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<Result<never>>((resolve) => {
        timer = setTimeout(() => resolve(failure('TIMEOUT', `${method} did not answer within ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        const raw = await Promise.race([
          bridge.call(method, parsedArgs.data).catch((error: unknown) =>
            failure('UNAVAILABLE', `The connection to Hush failed: ${error instanceof Error ? error.message : String(error)}`)
          ),
          timeout
        ])
        const envelope = ResultEnvelope.safeParse(raw)
        if (!envelope.success) return failure('INTERNAL', `Malformed reply to ${method}`, describeIssues(envelope.error))
        if (!envelope.data.ok) return envelope.data
        const value = spec.result.safeParse(envelope.data.value)
        if (!value.success) return failure('INTERNAL', `Malformed result of ${method}`, describeIssues(value.error))
        return { ok: true, value: value.data as ValueOf<typeof method> }
      } finally {
        clearTimeout(timer)
      }
    },
    on(event, listener) {
      const schema = events[event]
      return bridge.on(event, (payload) => {
        const parsed = schema.safeParse(payload)
        if (parsed.success) listener(parsed.data as EventPayload<typeof event>)
        else options.onInvalidEvent?.(event, describeIssues(parsed.error))
      })
    }
  }
}
