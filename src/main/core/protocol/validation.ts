import type { ChatMessage } from './gen/protobuf/chat_message_pb'
import { ChatMessage_ContentType as ContentType, ChatMessage_MessageType as MessageType } from './gen/protobuf/chat_message_pb'
import type {
  AcceptRequestAddressForTransaction,
  DeclineRequestAddressForTransaction,
  DeclineRequestTransaction,
  RequestAddressForTransaction,
  RequestTransaction,
  SendTransaction
} from './gen/protobuf/command_pb'
import type { PairInstallation } from './gen/protobuf/pairing_pb'

/** How far (ms) a clock may run ahead of the Whisper timestamp before the message is dropped. */
export const MAX_CLOCK_FUTURE_DRIFT_MS = 120_000n

/** Every reason a received message can be dropped; one DropCounter bucket each. */
export const DROP_REASONS = [
  // Envelope-to-payload decoding (inbound.ts).
  'MALFORMED_WRAPPER',
  'BAD_SIGNATURE',
  'NO_AUTHOR',
  'MALFORMED_PAYLOAD',
  'BAD_EVENT_SIGNATURE',
  'UNSUPPORTED_TYPE',
  // Shared clock rules (§3.6).
  'CLOCK_ZERO',
  'CLOCK_TOO_HIGH',
  // ChatMessage (§3.7).
  'TIMESTAMP_ZERO',
  'TEXT_BLANK',
  'CHAT_ID_EMPTY',
  'CONTENT_TYPE_UNKNOWN',
  'CONTENT_TYPE_TRANSACTION_COMMAND',
  'MESSAGE_TYPE_UNKNOWN',
  'MESSAGE_TYPE_SYSTEM',
  'STICKER_MISSING',
  'STICKER_HASH_EMPTY',
  // PairInstallation.
  'NAME_BLANK',
  'DEVICE_TYPE_BLANK',
  'INSTALLATION_ID_BLANK',
  // Transaction commands.
  'VALUE_BLANK',
  'VALUE_NOT_A_NUMBER',
  'ADDRESS_BLANK',
  'ID_EMPTY',
  'TRANSACTION_HASH_BLANK',
  'SIGNATURE_EMPTY',
  // Private group updates (group-events.ts, group-state.ts, §5.1); CLOCK_* and BAD_EVENT_SIGNATURE apply too.
  'GROUP_ID_INVALID',
  'GROUP_ID_MISMATCH',
  'GROUP_EVENTS_EMPTY',
  'GROUP_TOO_MANY_EVENTS',
  'GROUP_EVENT_MALFORMED',
  'GROUP_MEMBER_ID_INVALID',
  'GROUP_NAME_TOO_LONG',
  'GROUP_TOO_LARGE',
  'GROUP_EVENT_REFUSED',
  'GROUP_NOT_A_MEMBER',
  // A group message's ChatMessage must name its own group and be PRIVATE_GROUP (the update still applies).
  'GROUP_MESSAGE_MISMATCH',
  // Chat matching (chat-matching.ts, §3.8).
  'PUBLIC_CHAT_NOT_JOINED',
  'GROUP_CHAT_UNKNOWN',
  'GROUP_MEMBERSHIP_NOT_JOINED',
  'RECIPIENT_KEY_INVALID',
  'MESSAGE_TYPE_UNMATCHED'
] as const

export type DropReason = (typeof DROP_REASONS)[number]

export interface ValidationContext {
  /** The carrying Whisper envelope's send time in ms, the reference for clock drift. */
  readonly whisperTimestampMs: number
}

/** A named check: `ok` false means the message is dropped with `reason`. */
export interface Rule<T> {
  readonly reason: DropReason
  readonly ok: (message: T, context: ValidationContext) => boolean
}

function isBlank(text: string): boolean {
  return text.trim().length === 0
}

// Go's strconv.ParseFloat(s, 64) grammar: decimal or hex floats, inf/infinity/nan;
// out-of-range decimals (ParseFloat's ErrRange) are refused too.
const DECIMAL_FLOAT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const HEX_FLOAT = /^[+-]?0[xX]([0-9a-fA-F]+(\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][+-]?\d+$/
const SPECIAL_FLOAT = /^([+-]?(inf|infinity)|nan)$/i

export function parsesAsGoFloat(value: string): boolean {
  if (SPECIAL_FLOAT.test(value) || HEX_FLOAT.test(value)) return true
  return DECIMAL_FLOAT.test(value) && Number.isFinite(Number(value))
}

const clockRules: readonly Rule<{ clock: bigint }>[] = [
  { reason: 'CLOCK_ZERO', ok: (m) => m.clock !== 0n },
  {
    reason: 'CLOCK_TOO_HIGH',
    ok: (m, c) => m.clock <= BigInt(Math.floor(c.whisperTimestampMs)) + MAX_CLOCK_FUTURE_DRIFT_MS
  }
]

export const chatMessageRules: readonly Rule<ChatMessage>[] = [
  ...clockRules,
  { reason: 'TIMESTAMP_ZERO', ok: (m) => m.timestamp !== 0n },
  { reason: 'TEXT_BLANK', ok: (m) => !isBlank(m.text) },
  { reason: 'CHAT_ID_EMPTY', ok: (m) => m.chatId.length > 0 },
  { reason: 'CONTENT_TYPE_UNKNOWN', ok: (m) => m.contentType !== ContentType.UNKNOWN_CONTENT_TYPE },
  // Transaction commands have their own wrapper types; inside a ChatMessage they are forged.
  { reason: 'CONTENT_TYPE_TRANSACTION_COMMAND', ok: (m) => m.contentType !== ContentType.TRANSACTION_COMMAND },
  { reason: 'MESSAGE_TYPE_UNKNOWN', ok: (m) => m.messageType !== MessageType.UNKNOWN_MESSAGE_TYPE },
  { reason: 'MESSAGE_TYPE_SYSTEM', ok: (m) => m.messageType !== MessageType.SYSTEM_MESSAGE_PRIVATE_GROUP },
  {
    reason: 'STICKER_MISSING',
    ok: (m) => m.contentType !== ContentType.STICKER || m.payload.case === 'sticker'
  },
  {
    reason: 'STICKER_HASH_EMPTY',
    ok: (m) => m.contentType !== ContentType.STICKER || m.payload.case !== 'sticker' || m.payload.value.hash.length > 0
  }
]

export const pairInstallationRules: readonly Rule<PairInstallation>[] = [
  ...clockRules,
  { reason: 'NAME_BLANK', ok: (m) => !isBlank(m.name) },
  { reason: 'DEVICE_TYPE_BLANK', ok: (m) => !isBlank(m.deviceType) },
  { reason: 'INSTALLATION_ID_BLANK', ok: (m) => !isBlank(m.installationId) }
]

const valueRules: readonly Rule<{ value: string }>[] = [
  { reason: 'VALUE_BLANK', ok: (m) => !isBlank(m.value) },
  { reason: 'VALUE_NOT_A_NUMBER', ok: (m) => parsesAsGoFloat(m.value) }
]

export const requestAddressForTransactionRules: readonly Rule<RequestAddressForTransaction>[] = [
  ...clockRules,
  ...valueRules
]

export const requestTransactionRules: readonly Rule<RequestTransaction>[] = [
  ...clockRules,
  { reason: 'VALUE_BLANK', ok: (m) => !isBlank(m.value) },
  { reason: 'ADDRESS_BLANK', ok: (m) => !isBlank(m.address) },
  { reason: 'VALUE_NOT_A_NUMBER', ok: (m) => parsesAsGoFloat(m.value) }
]

export const acceptRequestAddressForTransactionRules: readonly Rule<AcceptRequestAddressForTransaction>[] = [
  ...clockRules,
  { reason: 'ID_EMPTY', ok: (m) => m.id.length > 0 },
  { reason: 'ADDRESS_BLANK', ok: (m) => !isBlank(m.address) }
]

export const declineRequestAddressForTransactionRules: readonly Rule<DeclineRequestAddressForTransaction>[] = [
  ...clockRules,
  { reason: 'ID_EMPTY', ok: (m) => m.id.length > 0 }
]

export const declineRequestTransactionRules: readonly Rule<DeclineRequestTransaction>[] = [
  ...clockRules,
  { reason: 'ID_EMPTY', ok: (m) => m.id.length > 0 }
]

export const sendTransactionRules: readonly Rule<SendTransaction>[] = [
  ...clockRules,
  { reason: 'TRANSACTION_HASH_BLANK', ok: (m) => !isBlank(m.transactionHash) },
  // Go checks for a nil slice; proto3 cannot tell nil from empty, so empty is refused.
  { reason: 'SIGNATURE_EMPTY', ok: (m) => m.signature.length > 0 }
]

/**
 * Group events are relayed with the whole history, so their clocks are held
 * against local time rather than the carrying envelope's timestamp.
 */
export const membershipEventRules: readonly Rule<{ clock: bigint }>[] = clockRules

/** The first rule `message` breaks, or null when it passes them all. */
export function firstViolation<T>(rules: readonly Rule<T>[], message: T, context: ValidationContext): DropReason | null {
  for (const rule of rules) {
    if (!rule.ok(message, context)) return rule.reason
  }
  return null
}

/** Per-reason tally of dropped messages, exposed as a debug counter. */
export class DropCounter {
  private readonly counts = new Map<DropReason, number>()

  record(reason: DropReason): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1)
  }

  count(reason: DropReason): number {
    return this.counts.get(reason) ?? 0
  }

  get total(): number {
    let sum = 0
    for (const n of this.counts.values()) sum += n
    return sum
  }

  /** Only reasons seen so far, JSON-serialisable. */
  snapshot(): Partial<Record<DropReason, number>> {
    return Object.fromEntries(this.counts)
  }
}
