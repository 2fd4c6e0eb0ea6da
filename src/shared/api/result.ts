import * as z from 'zod'

/** Error codes every transport and handler may return; the renderer maps each to a catalog message. */
export const ErrorCode = z.enum([
  'BAD_REQUEST',
  'UNKNOWN_METHOD',
  'TIMEOUT',
  'UNAVAILABLE',
  'NOT_FOUND',
  'CONFLICT',
  'WRONG_PASSWORD',
  'LOCKED',
  /** The host is saturated with this kind of work (e.g. password checks); retry later. */
  'BUSY',
  'INTERNAL'
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const ApiError = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Machine-readable detail for the UI, e.g. which argument was malformed. */
  details: z.array(z.string()).optional()
})
export type ApiError = z.infer<typeof ApiError>

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError }

export const ResultEnvelope = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiError })
])

/** Thrown by handlers to return a specific code; anything else becomes INTERNAL. */
export class HushError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: string[]
  ) {
    super(message)
    this.name = 'HushError'
  }
}

export function failure(code: ErrorCode, message: string, details?: string[]): Result<never> {
  return { ok: false, error: details ? { code, message, details } : { code, message } }
}

/** Turns zod issues into short "path: message" lines safe to show and log (no values echoed). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
}
