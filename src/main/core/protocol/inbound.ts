import { type ChatMessage, ChatMessage_MessageType, ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import {
  type AcceptRequestAddressForTransaction,
  AcceptRequestAddressForTransactionSchema,
  type DeclineRequestAddressForTransaction,
  DeclineRequestAddressForTransactionSchema,
  type DeclineRequestTransaction,
  DeclineRequestTransactionSchema,
  type RequestAddressForTransaction,
  RequestAddressForTransactionSchema,
  type RequestTransaction,
  RequestTransactionSchema,
  type SendTransaction,
  SendTransactionSchema
} from './gen/protobuf/command_pb'
import { type ContactUpdate, ContactUpdateSchema } from './gen/protobuf/contact_pb'
import { type MembershipUpdateMessage, MembershipUpdateMessageSchema } from './gen/protobuf/membership_update_message_pb'
import {
  type PairInstallation,
  PairInstallationSchema,
  type SyncInstallation,
  type SyncInstallationAccount,
  SyncInstallationAccountSchema,
  type SyncInstallationContact,
  SyncInstallationContactSchema,
  type SyncInstallationPublicChat,
  SyncInstallationPublicChatSchema,
  SyncInstallationSchema
} from './gen/protobuf/pairing_pb'
import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import { DecodeError, decodeProto } from './decode'
import {
  acceptRequestAddressForTransactionRules,
  chatMessageRules,
  declineRequestAddressForTransactionRules,
  declineRequestTransactionRules,
  type DropCounter,
  fieldBoundsViolation,
  type DropReason,
  firstViolation,
  pairInstallationRules,
  requestAddressForTransactionRules,
  requestTransactionRules,
  type Rule,
  sendTransactionRules,
  type ValidationContext
} from './validation'
import { MessageKind, unwrapMessage, type UnwrappedMessage, WrapperError } from './wrapper'

/** A typed, validated application payload. */
export type InboundPayload =
  | { readonly kind: MessageKind.CHAT_MESSAGE; readonly message: ChatMessage }
  | { readonly kind: MessageKind.CONTACT_UPDATE; readonly message: ContactUpdate }
  | {
      readonly kind: MessageKind.MEMBERSHIP_UPDATE_MESSAGE
      /** Events still unverified: group-state.ts applyMembershipUpdate checks them against the stored group. */
      readonly message: MembershipUpdateMessage
      /** The group chat message it carries, once valid; null when absent or dropped. */
      readonly chatMessage: ChatMessage | null
      /** Why the carried chat message was dropped (already counted); the update still applies, as in status-go. */
      readonly chatMessageDrop: DropReason | null
    }
  | { readonly kind: MessageKind.PAIR_INSTALLATION; readonly message: PairInstallation }
  | { readonly kind: MessageKind.SYNC_INSTALLATION; readonly message: SyncInstallation }
  | { readonly kind: MessageKind.SYNC_INSTALLATION_CONTACT; readonly message: SyncInstallationContact }
  | { readonly kind: MessageKind.SYNC_INSTALLATION_ACCOUNT; readonly message: SyncInstallationAccount }
  | { readonly kind: MessageKind.SYNC_INSTALLATION_PUBLIC_CHAT; readonly message: SyncInstallationPublicChat }
  | { readonly kind: MessageKind.REQUEST_ADDRESS_FOR_TRANSACTION; readonly message: RequestAddressForTransaction }
  | {
      readonly kind: MessageKind.ACCEPT_REQUEST_ADDRESS_FOR_TRANSACTION
      readonly message: AcceptRequestAddressForTransaction
    }
  | {
      readonly kind: MessageKind.DECLINE_REQUEST_ADDRESS_FOR_TRANSACTION
      readonly message: DeclineRequestAddressForTransaction
    }
  | { readonly kind: MessageKind.REQUEST_TRANSACTION; readonly message: RequestTransaction }
  | { readonly kind: MessageKind.SEND_TRANSACTION; readonly message: SendTransaction }
  | { readonly kind: MessageKind.DECLINE_REQUEST_TRANSACTION; readonly message: DeclineRequestTransaction }

export type InboundResult =
  | { readonly ok: true; readonly envelope: UnwrappedMessage; readonly payload: InboundPayload }
  | { readonly ok: false; readonly reason: DropReason }

export interface InboundContext {
  /** Whisper signer of the carrying envelope (uncompressed), the author of unsigned wrappers. */
  readonly transportSigner?: Uint8Array | null
  /** The carrying envelope's send time, (expiry − ttl) × 1000, as status-go feeds its validator. */
  readonly whisperTimestampMs: number
  /** Local time in ms: the reference of group event clocks, for group-state.ts applyMembershipUpdate. */
  readonly nowMs: number
}

class Dropped extends Error {
  constructor(readonly reason: DropReason) {
    super(reason)
  }
}

function check<T>(rules: readonly Rule<T>[], message: T, context: ValidationContext): T {
  const reason = firstViolation(rules, message, context)
  if (reason) throw new Dropped(reason)
  return message
}

/** Decodes a payload and refuses it whole when any field is longer than its cap. */
function decodeBounded<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  const message = decodeProto(schema, bytes)
  const reason = fieldBoundsViolation(schema, message)
  if (reason) throw new Dropped(reason)
  return message
}

function readPayload(envelope: UnwrappedMessage, context: InboundContext): InboundPayload {
  const vs: ValidationContext = { whisperTimestampMs: context.whisperTimestampMs, nowMs: context.nowMs }
  const p = envelope.payload
  switch (envelope.type) {
    case MessageKind.CHAT_MESSAGE:
      return { kind: envelope.type, message: check(chatMessageRules, decodeBounded(ChatMessageSchema, p), vs) }
    case MessageKind.CONTACT_UPDATE:
      return { kind: envelope.type, message: decodeBounded(ContactUpdateSchema, p) }
    case MessageKind.MEMBERSHIP_UPDATE_MESSAGE:
      return readMembershipUpdate(decodeBounded(MembershipUpdateMessageSchema, p), vs)
    case MessageKind.PAIR_INSTALLATION:
      return { kind: envelope.type, message: check(pairInstallationRules, decodeBounded(PairInstallationSchema, p), vs) }
    case MessageKind.SYNC_INSTALLATION:
      return { kind: envelope.type, message: decodeBounded(SyncInstallationSchema, p) }
    case MessageKind.SYNC_INSTALLATION_CONTACT:
      return { kind: envelope.type, message: decodeBounded(SyncInstallationContactSchema, p) }
    case MessageKind.SYNC_INSTALLATION_ACCOUNT:
      return { kind: envelope.type, message: decodeBounded(SyncInstallationAccountSchema, p) }
    case MessageKind.SYNC_INSTALLATION_PUBLIC_CHAT:
      return { kind: envelope.type, message: decodeBounded(SyncInstallationPublicChatSchema, p) }
    case MessageKind.REQUEST_ADDRESS_FOR_TRANSACTION:
      return {
        kind: envelope.type,
        message: check(requestAddressForTransactionRules, decodeBounded(RequestAddressForTransactionSchema, p), vs)
      }
    case MessageKind.ACCEPT_REQUEST_ADDRESS_FOR_TRANSACTION:
      return {
        kind: envelope.type,
        message: check(
          acceptRequestAddressForTransactionRules,
          decodeBounded(AcceptRequestAddressForTransactionSchema, p),
          vs
        )
      }
    case MessageKind.DECLINE_REQUEST_ADDRESS_FOR_TRANSACTION:
      return {
        kind: envelope.type,
        message: check(
          declineRequestAddressForTransactionRules,
          decodeBounded(DeclineRequestAddressForTransactionSchema, p),
          vs
        )
      }
    case MessageKind.REQUEST_TRANSACTION:
      return { kind: envelope.type, message: check(requestTransactionRules, decodeBounded(RequestTransactionSchema, p), vs) }
    case MessageKind.SEND_TRANSACTION:
      return { kind: envelope.type, message: check(sendTransactionRules, decodeBounded(SendTransactionSchema, p), vs) }
    case MessageKind.DECLINE_REQUEST_TRANSACTION:
      return {
        kind: envelope.type,
        message: check(declineRequestTransactionRules, decodeBounded(DeclineRequestTransactionSchema, p), vs)
      }
    default:
      throw new Dropped('UNSUPPORTED_TYPE')
  }
}

function readMembershipUpdate(message: MembershipUpdateMessage, vs: ValidationContext): InboundPayload {
  const kind = MessageKind.MEMBERSHIP_UPDATE_MESSAGE
  const chat = message.message
  if (!chat) return { kind, message, chatMessage: null, chatMessageDrop: null }
  const mismatch = chat.chatId !== message.chatId || chat.messageType !== ChatMessage_MessageType.PRIVATE_GROUP
  const drop: DropReason | null = mismatch ? 'GROUP_MESSAGE_MISMATCH' : firstViolation(chatMessageRules, chat, vs)
  return { kind, message, chatMessage: drop ? null : chat, chatMessageDrop: drop }
}

function reasonFor(err: unknown): DropReason {
  if (err instanceof Dropped) return err.reason
  if (err instanceof WrapperError) {
    return err.code === 'MALFORMED' ? 'MALFORMED_WRAPPER' : err.code === 'NO_AUTHOR' ? 'NO_AUTHOR' : 'BAD_SIGNATURE'
  }
  if (err instanceof DecodeError) return 'MALFORMED_PAYLOAD'
  throw err
}

/**
 * Turns ApplicationMetadataMessage bytes (after decryption and MVDS) into a
 * typed, validated payload with its author and id, or a drop reason that is
 * also tallied in `drops`. Unknown wrapper types count as UNSUPPORTED_TYPE.
 */
export function readInbound(raw: Uint8Array, context: InboundContext, drops: DropCounter): InboundResult {
  try {
    const envelope = unwrapMessage(raw, context.transportSigner)
    const payload = readPayload(envelope, context)
    if (payload.kind === MessageKind.MEMBERSHIP_UPDATE_MESSAGE && payload.chatMessageDrop) {
      drops.record(payload.chatMessageDrop)
    }
    return { ok: true, envelope, payload }
  } catch (err) {
    const reason = reasonFor(err)
    drops.record(reason)
    return { ok: false, reason }
  }
}
