/** Why a Whisper input was refused; `code` is stable and meant for programs, `message` for people. */
export type WhisperErrorCode =
  | 'bad-rlp'
  | 'bad-envelope'
  | 'bad-topic'
  | 'bad-key'
  | 'bad-plaintext'
  | 'bad-signature'
  | 'bad-argument'
  | 'pow-failed'
  | 'bad-request'
  | 'mailserver-error'
  | 'timeout'
  | 'closed'

export class WhisperError extends Error {
  readonly code: WhisperErrorCode

  constructor(code: WhisperErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WhisperError'
    this.code = code
  }
}
