import { type Author, type ChatKind, MESSAGE_ID_PATTERN, type Message } from '../../../shared/api'
import type { ChatMessage } from '../protocol/gen/protobuf/chat_message_pb'
import type { UnwrappedMessage } from '../protocol/wrapper'

/**
 * The API message for a received ChatMessage, filed under `chatId`, the same for 1:1, public and group
 * chats. Only a message id can be quoted: anything else in response_to is no reply, and the text still shows.
 */
export function receivedMessage(
  envelope: UnwrappedMessage,
  chatMessage: ChatMessage,
  filed: { chatId: string; chatKind: ChatKind; author: Author; outgoing: boolean; receivedAt: number }
): Message {
  return {
    id: envelope.id,
    chatId: filed.chatId,
    chatKind: filed.chatKind,
    author: filed.author,
    outgoing: filed.outgoing,
    text: chatMessage.text,
    clock: Number(chatMessage.clock),
    timestamp: Number(chatMessage.timestamp),
    receivedAt: filed.receivedAt,
    ...(MESSAGE_ID_PATTERN.test(chatMessage.responseTo) ? { responseTo: chatMessage.responseTo } : {}),
    status: filed.outgoing ? 'sent' : 'received'
  }
}
