export type TrustErrorCode = 'INVALID_KEY'

/** Typed failure for a chat key that cannot be used to derive trust material. */
export class TrustError extends Error {
  override readonly name = 'TrustError'

  constructor(
    readonly code: TrustErrorCode,
    message: string
  ) {
    super(message)
  }
}
