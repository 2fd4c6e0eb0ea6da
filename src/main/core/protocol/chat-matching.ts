import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { equalBytes } from '@noble/curves/utils.js'
import { isValidPublicKey } from '../primitives/secp256k1'
import { ChatMessage_MessageType as MessageType } from './gen/protobuf/chat_message_pb'
import type { DropReason } from './validation'

/** What chat matching needs to know about a stored chat. */
export type KnownChat =
  | { readonly kind: 'public'; readonly active: boolean }
  | { readonly kind: 'one-to-one' }
  | {
      readonly kind: 'group'
      /** "0x04…" keys of members who have joined (not merely been invited). */
      readonly joinedMembers: ReadonlySet<string>
    }

export interface MatchContext {
  /** Our own uncompressed 65-byte chat key. */
  readonly ownKey: Uint8Array
  readonly findChat: (chatId: string) => KnownChat | undefined
}

export type ChatMatch =
  | { readonly ok: true; readonly chatId: string; readonly createOneToOne: boolean }
  | { readonly ok: false; readonly reason: DropReason }

/** "0x" + lowercase hex of the 65-byte key: chat ids, contact ids and member lists all use it. */
export function chatKeyId(publicKey: Uint8Array): string {
  return '0x' + bytesToHex(publicKey)
}

const CHAT_KEY_ID = /^0x04[0-9a-f]{128}$/

/** Whether `id` is a chat key id: "0x04" + 128 lowercase hex digits naming a point on secp256k1. */
export function isChatKeyId(id: string): boolean {
  return CHAT_KEY_ID.test(id) && isValidPublicKey(hexToBytes(id.slice(2)))
}

/**
 * Picks the chat a received chat message belongs to (status-go matchMessage).
 * 1:1 messages from others are filed under the author, never the claimed
 * chat_id, so a peer cannot post into someone else's conversation.
 */
export function matchChat(
  message: { readonly messageType: MessageType; readonly chatId: string },
  author: Uint8Array,
  context: MatchContext
): ChatMatch {
  switch (message.messageType) {
    case MessageType.PUBLIC_GROUP: {
      const chat = context.findChat(message.chatId)
      if (chat?.kind !== 'public' || !chat.active) return { ok: false, reason: 'PUBLIC_CHAT_NOT_JOINED' }
      return { ok: true, chatId: message.chatId, createOneToOne: false }
    }
    case MessageType.ONE_TO_ONE: {
      // From another of our own devices: chat_id names the recipient.
      const fromUs = equalBytes(author, context.ownKey)
      const chatId = fromUs ? message.chatId : chatKeyId(author)
      if (fromUs && !isChatKeyId(chatId)) return { ok: false, reason: 'RECIPIENT_KEY_INVALID' }
      return { ok: true, chatId, createOneToOne: context.findChat(chatId) === undefined }
    }
    case MessageType.PRIVATE_GROUP: {
      const chat = context.findChat(message.chatId)
      if (chat?.kind !== 'group') return { ok: false, reason: 'GROUP_CHAT_UNKNOWN' }
      const joined = chat.joinedMembers.has(chatKeyId(author)) && chat.joinedMembers.has(chatKeyId(context.ownKey))
      if (!joined) return { ok: false, reason: 'GROUP_MEMBERSHIP_NOT_JOINED' }
      return { ok: true, chatId: message.chatId, createOneToOne: false }
    }
    default:
      return { ok: false, reason: 'MESSAGE_TYPE_UNMATCHED' }
  }
}
