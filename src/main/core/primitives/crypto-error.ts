/** Why a secure-transport crypto operation refused its input. */
export type CryptoErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_SIGNATURE'
  | 'BUNDLE_IDENTITY_MISMATCH'
  | 'BUNDLE_MALFORMED'
  | 'CIPHERTEXT_MALFORMED'
  | 'AUTHENTICATION_FAILED'
  | 'TOO_MANY_SKIPPED'
  | 'MESSAGE_KEY_DELETED'
  | 'STATE_MALFORMED'

/** Typed failure for bad keys, signatures, ciphertexts or stored state; never thrown for programming errors only. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError'

  constructor(
    readonly code: CryptoErrorCode,
    message: string
  ) {
    super(message)
  }
}
