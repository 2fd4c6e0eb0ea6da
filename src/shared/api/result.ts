import * as z from 'zod'
import { ErrorReason } from './reasons'

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
  details: z.array(z.string()).optional(),
  /** What the person is told; a reason this build does not know degrades to the code's sentence. */
  reason: ErrorReason.optional().catch(undefined)
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
    readonly details?: string[],
    readonly reason?: ErrorReason
  ) {
    super(message)
    this.name = 'HushError'
  }
}

export function failure(code: ErrorCode, message: string, details?: string[], reason?: ErrorReason): Result<never> {
  return { ok: false, error: { code, message, ...(details ? { details } : {}), ...(reason ? { reason } : {}) } }
}

/** A HushError the person is told about in words: `message` stays in English for the logs. */
export function refusal(code: ErrorCode, reason: ErrorReason, message: string, details?: string[]): HushError {
  return new HushError(code, message, details, reason)
}

/** Turns zod issues into short "path: message" lines safe to show and log (no values echoed). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
}
