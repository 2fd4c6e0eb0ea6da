import type { DescMessage, MessageShape } from '@bufbuild/protobuf'
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect'
import { ScalarType } from '@bufbuild/protobuf'
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

/**
 * How far back (ms) a ChatMessage's display timestamp may lie. Only the future is bounded by status-go;
 * a decade is generous for any sender's clock and keeps every value a date the UI can show.
 */
export const MAX_TIMESTAMP_AGE_MS = 10n * 366n * 86_400_000n

/**
 * Caps on received fields (UTF-16 code units for strings, bytes, items). Received text is not capped by
 * status-go beyond Whisper's 1 MiB message; we send at most 4096 characters and allow other clients four
 * times as much. Status profile pictures travel as data URIs, hence their own cap.
 */
export const MAX_TEXT_LENGTH = 16_384
export const MAX_PROFILE_IMAGE_LENGTH = 256 * 1024
export const MAX_STRING_LENGTH = 1024
export const MAX_BYTES_LENGTH = 64 * 1024
export const MAX_LIST_LENGTH = 1000

const STRING_LIMITS: Readonly<Record<string, number>> = {
  text: MAX_TEXT_LENGTH,
  profileImage: MAX_PROFILE_IMAGE_LENGTH
}

/** Every reason a received message can be dropped; one DropCounter bucket each. */
export const DROP_REASONS = [
  // Envelope-to-payload decoding (inbound.ts).
  'MALFORMED_WRAPPER',
  'BAD_SIGNATURE',
  'NO_AUTHOR',
  'MALFORMED_PAYLOAD',
  'BAD_EVENT_SIGNATURE',
  'UNSUPPORTED_TYPE',
  // Field bounds, any payload.
  'TEXT_TOO_LONG',
  'FIELD_TOO_LONG',
  'LIST_TOO_LONG',
  // Shared clock rules (§3.6).
  'CLOCK_ZERO',
  'CLOCK_TOO_HIGH',
  'CLOCK_AHEAD_OF_NOW',
  // ChatMessage (§3.7).
  'TIMESTAMP_ZERO',
  'TIMESTAMP_OUT_OF_RANGE',
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
  // One sender's membership changes beyond the messenger's budget (messenger/group-service.ts).
  'GROUP_UPDATE_RATE_LIMITED',
  // A group new to us while MAX_GROUP_INVITATIONS groups we have not joined are kept (messenger/group-service.ts).
  'GROUP_INVITATION_LIMIT',
  // A membership update whose wrapper a blocked key signed, whichever key signed its envelope.
  'GROUP_AUTHOR_BLOCKED',
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
  /** Local time in ms: no clock or timestamp may lie further ahead of it than the drift allows. */
  readonly nowMs: number
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
  },
  // A mailserver may hand over envelopes stamped in the far future; whisper's own check covers live ones only.
  { reason: 'CLOCK_AHEAD_OF_NOW', ok: (m, c) => m.clock <= BigInt(Math.floor(c.nowMs)) + MAX_CLOCK_FUTURE_DRIFT_MS }
]

export const chatMessageRules: readonly Rule<ChatMessage>[] = [
  ...clockRules,
  { reason: 'TIMESTAMP_ZERO', ok: (m) => m.timestamp !== 0n },
  {
    reason: 'TIMESTAMP_OUT_OF_RANGE',
    ok: (m, c) => {
      const now = BigInt(Math.floor(c.nowMs))
      return m.timestamp >= now - MAX_TIMESTAMP_AGE_MS && m.timestamp <= now + MAX_CLOCK_FUTURE_DRIFT_MS
    }
  },
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

/**
 * The first field of a decoded payload, nested messages and lists included, that is longer than its cap;
 * null when every field fits. Reflective, so a field added to a schema is bounded too.
 */
export function fieldBoundsViolation<D extends DescMessage>(schema: D, message: MessageShape<D>): DropReason | null {
  return boundsOf(reflect(schema, message))
}

function boundsOf(message: ReflectMessage): DropReason | null {
  for (const field of message.fields) {
    if (!message.isSet(field)) continue
    let reason: DropReason | null = null
    switch (field.fieldKind) {
      case 'scalar':
        reason = scalarBounds(field.localName, field.scalar, message.get(field))
        break
      case 'message':
        reason = boundsOf(message.get(field))
        break
      case 'list': {
        const list = message.get(field)
        if (list.size > MAX_LIST_LENGTH) return 'LIST_TOO_LONG'
        for (const item of list) {
          reason ??= field.listKind === 'message' ? boundsOf(item as ReflectMessage) : field.listKind === 'scalar' ? scalarBounds(field.localName, field.scalar, item) : null
        }
        break
      }
      case 'map': {
        const map = message.get(field)
        if (map.size > MAX_LIST_LENGTH) return 'LIST_TOO_LONG'
        for (const [key, item] of map) {
          reason ??= scalarBounds(field.localName, ScalarType.STRING, key)
          reason ??= field.mapKind === 'message' ? boundsOf(item as ReflectMessage) : field.mapKind === 'scalar' ? scalarBounds(field.localName, field.scalar, item) : null
        }
        break
      }
      case 'enum':
        break
    }
    if (reason) return reason
  }
  return null
}

function scalarBounds(name: string, type: ScalarType, value: unknown): DropReason | null {
  if (type === ScalarType.STRING && typeof value === 'string') {
    const limit = STRING_LIMITS[name] ?? MAX_STRING_LENGTH
    if (value.length > limit) return name === 'text' ? 'TEXT_TOO_LONG' : 'FIELD_TOO_LONG'
  }
  if (type === ScalarType.BYTES && value instanceof Uint8Array && value.length > MAX_BYTES_LENGTH) return 'FIELD_TOO_LONG'
  return null
}

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
