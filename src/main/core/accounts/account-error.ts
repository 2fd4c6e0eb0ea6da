export type AccountErrorCode =
  | 'WRONG_PASSWORD'
  | 'INVALID_PASSWORD'
  | 'NOT_FOUND'
  | 'CORRUPT_FILE'
  | 'INVALID_MNEMONIC'
  | 'ALREADY_EXISTS'
  | 'INVALID_NAME'
  /** Too many password checks are already queued on this host. */
  | 'BUSY'

/** Every failure of the accounts layer; messages never contain secrets (mnemonic, keys, password). */
export class AccountError extends Error {
  override readonly name = 'AccountError'

  constructor(
    readonly code: AccountErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

export function isAccountError(value: unknown, code?: AccountErrorCode): value is AccountError {
  return value instanceof AccountError && (code === undefined || value.code === code)
}
