import * as z from 'zod'

/**
 * Why a call failed, precisely enough for the renderer's catalog to say it in words (`reason.<REASON>`), with
 * the values the sentence needs as typed fields. Main never sends prose to the screen: an error's `message`
 * is for logs, its reason is for people. A call without a reason is described by its code alone.
 */
export const ErrorReason = z.discriminatedUnion('reason', [
  z.object({ reason: z.literal('OWN_CHAT_KEY') }),
  z.object({ reason: z.literal('CHAT_KEY_FORMAT') }),
  z.object({ reason: z.literal('CHAT_KEY_OFF_CURVE') }),
  z.object({ reason: z.literal('CHAT_NAME_EMPTY') }),
  z.object({ reason: z.literal('CHAT_NAME_TOO_LONG'), max: z.number().int().positive() }),
  z.object({ reason: z.literal('CHAT_NAME_CHARACTERS') }),
  z.object({ reason: z.literal('CHAT_NAME_IS_KEY') }),
  z.object({ reason: z.literal('NOT_IN_CHAT') }),
  z.object({ reason: z.literal('REPLY_NOT_FOUND') }),
  z.object({ reason: z.literal('REPLY_IN_OTHER_CHAT') }),
  z.object({ reason: z.literal('EMPTY_MESSAGE') }),
  z.object({ reason: z.literal('MESSAGE_NOT_WAITING') }),
  z.object({ reason: z.literal('MESSAGE_ON_ITS_WAY') }),
  z.object({ reason: z.literal('CANDIDATE_EXPIRED') }),
  z.object({ reason: z.literal('ACCOUNT_NOT_FOUND') }),
  z.object({ reason: z.literal('ACCOUNT_EXISTS') }),
  z.object({ reason: z.literal('ACCOUNT_NOT_UNLOCKED') }),
  z.object({ reason: z.literal('KEYSTORE_UNREADABLE') }),
  z.object({ reason: z.literal('PASSWORD_EMPTY') }),
  z.object({ reason: z.literal('PHRASE_INVALID') }),
  z.object({ reason: z.literal('NAME_TOO_LONG'), max: z.number().int().positive() }),
  z.object({ reason: z.literal('CHATS_UNAVAILABLE') }),
  z.object({ reason: z.literal('NO_REQUEST') }),
  z.object({ reason: z.literal('RECIPIENT_BLOCKED') })
])
export type ErrorReason = z.infer<typeof ErrorReason>
export type ErrorReasonCode = ErrorReason['reason']

/** Why a history fetch failed, for the status line (the detail goes to the log). */
export const HistoryFailure = z.enum(['TIMEOUT', 'REFUSED', 'OTHER'])
export type HistoryFailure = z.infer<typeof HistoryFailure>
