import { refusal } from '../../../shared/api'
import type { HistoryStore } from './history-store'

/**
 * A reply must quote a message of its own chat that this computer holds: a quote of anything else would
 * show the other side a placeholder, or leak which message of another chat it answers. Each case is refused
 * with its own reason, so the person reads what to do (reply to another message, or send without the quote).
 */
export async function checkReplyTarget(messages: Pick<HistoryStore, 'get'>, chatId: string, responseTo: string | undefined): Promise<void> {
  if (!responseTo) return
  const original = await messages.get(responseTo)
  if (!original) throw refusal('NOT_FOUND', { reason: 'REPLY_NOT_FOUND' }, 'The message replied to is not on this computer.')
  if (original.chatId !== chatId) throw refusal('BAD_REQUEST', { reason: 'REPLY_IN_OTHER_CHAT' }, 'The message replied to is in another chat.')
}
