import type * as z from 'zod'

/** One request/response method: argument and result schemas are the single source of their types. */
export interface MethodSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A
  result: R
  /** Overrides the default call timeout for slow methods (key stretching, network round trips). */
  timeoutMs?: number
}

export function method<A extends z.ZodType, R extends z.ZodType>(
  args: A,
  result: R,
  options: { timeoutMs?: number } = {}
): MethodSpec<A, R> {
  return { args, result, ...options }
}

export const DEFAULT_CALL_TIMEOUT_MS = 15_000

/**
 * The untyped transport under the typed client: `window.hush` in the renderer (preload or WebSocket),
 * or an in-process object in tests. `call` resolves to a result envelope and never rejects for API errors.
 */
export interface HushBridge {
  call(method: string, args: unknown): Promise<unknown>
  on(event: string, listener: (payload: unknown) => void): () => void
}
