import { create, type MessageInitShape, toBinary } from '@bufbuild/protobuf'
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { equalBytes } from '@noble/curves/utils.js'
import { CryptoError } from '../primitives/crypto-error'
import { keccak256 } from '../primitives/keccak'
import { publicKeyOf, recoverSigner, signDigest } from '../primitives/secp256k1'
import { chatKeyId, isChatKeyId } from './chat-matching'
import { decodeProto } from './decode'
import type { ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import {
  type MembershipUpdateEvent,
  MembershipUpdateEvent_EventType as GroupEventType,
  MembershipUpdateEventSchema,
  MembershipUpdateMessageSchema
} from './gen/protobuf/membership_update_message_pb'
import { MAX_GROUP_EVENT_BYTES, MAX_GROUP_NAME_BYTES, MAX_GROUP_SIZE } from './group-limits'
import type { DropReason } from './validation'

/*
 * Signed membership events of private group chats, byte for byte as status-go v0.52
 * (protocol/v1/membership_update_message.go):
 *
 *   event on the wire = signature(65) ‖ protobuf MembershipUpdateEvent {1 clock, 2 members, 3 name, 4 type}
 *   signature         = secp256k1 R ‖ S ‖ V (V ∈ {0,1}, RFC 6979) over keccak256(utf8(groupId) ‖ event bytes)
 *   author            = the key recovered from the signature, as a "0x04…" chat key id
 *
 * The group id is inside the signed bytes, so an event cannot be replayed into another group.
 * Events are kept as received (`raw`), never re-encoded: the signature covers those bytes, and
 * status-go deduplicates events by signature alone.
 */

export { GroupEventType }

/** Why a received group update (or one of its events) is refused; each is also a DropReason. */
export type GroupRejectionReason = Extract<
  DropReason,
  | 'GROUP_ID_INVALID'
  | 'GROUP_ID_MISMATCH'
  | 'GROUP_EVENTS_EMPTY'
  | 'GROUP_TOO_MANY_EVENTS'
  | 'GROUP_EVENT_MALFORMED'
  | 'BAD_EVENT_SIGNATURE'
  | 'GROUP_MEMBER_ID_INVALID'
  | 'GROUP_NAME_TOO_LONG'
  | 'GROUP_TOO_LARGE'
  | 'CLOCK_ZERO'
  | 'CLOCK_TOO_HIGH'
  | 'GROUP_EVENT_REFUSED'
  | 'GROUP_NOT_A_MEMBER'
>

/** A typed refusal of hostile or malformed group input; `eventIndex` is the event's position in the message. */
export class GroupEventError extends Error {
  override readonly name = 'GroupEventError'
  constructor(
    readonly reason: GroupRejectionReason,
    message: string,
    readonly eventIndex?: number
  ) {
    super(message)
  }
}

/** One verified membership event. */
export interface GroupEvent {
  readonly type: GroupEventType
  readonly clock: bigint
  /** "0x04…" ids: added members, new admins, or the one member removed / admin dropped. */
  readonly members: readonly string[]
  readonly name: string
  /** "0x04…" id of the signer. */
  readonly author: string
  readonly signature: Uint8Array
  /** signature ‖ event bytes exactly as signed or received; relayed unchanged. */
  readonly raw: Uint8Array
}

/** What a new event says; the signer's key supplies the author. */
export interface GroupEventFields {
  readonly type: GroupEventType
  readonly clock: bigint
  readonly members?: readonly string[]
  readonly name?: string
}

const SIGNATURE_LENGTH = 65

/** keccak256(utf8(groupId) ‖ eventBytes): the digest every event signature covers. */
export function eventSigningDigest(groupId: string, eventBytes: Uint8Array): Uint8Array {
  return keccak256(concatBytes(utf8ToBytes(groupId), eventBytes))
}

/** Encodes and signs one event as status-go's MembershipUpdateEvent.Sign does. */
export function signGroupEvent(groupId: string, fields: GroupEventFields, privateKey: Uint8Array): GroupEvent {
  if (groupId.length === 0) throw new RangeError('cannot sign a group event without a group id')
  const eventBytes = toBinary(
    MembershipUpdateEventSchema,
    create(MembershipUpdateEventSchema, {
      clock: fields.clock,
      members: [...(fields.members ?? [])],
      name: fields.name ?? '',
      type: fields.type
    })
  )
  const signature = signDigest(eventSigningDigest(groupId, eventBytes), privateKey)
  return {
    type: fields.type,
    clock: fields.clock,
    members: [...(fields.members ?? [])],
    name: fields.name ?? '',
    author: chatKeyId(publicKeyOf(privateKey, false)),
    signature,
    raw: concatBytes(signature, eventBytes)
  }
}

/** Events already verified, by signature hex, so a repeated history costs no signature recovery. */
export type KnownEvents = ReadonlyMap<string, GroupEvent>

export function signatureKey(signature: Uint8Array): string {
  return bytesToHex(signature)
}

/** A received entry decoded and bounds-checked whose signer is not recovered yet (null), the costly step. */
export type DecodedGroupEvent = GroupEvent | (Omit<GroupEvent, 'author'> & { readonly author: null })

/**
 * Decodes one received `signature ‖ event` entry and checks its bounds, without recovering the signer.
 * An entry byte-identical to one in `known` is that event, signer included (recovery is a function of
 * the bytes). Throws GroupEventError.
 */
export function decodeGroupEvent(raw: Uint8Array, known?: KnownEvents): DecodedGroupEvent {
  // status-go refuses an entry with no event bytes after the signature ("invalid payload length").
  if (raw.length <= SIGNATURE_LENGTH) {
    throw new GroupEventError('GROUP_EVENT_MALFORMED', `event of ${raw.length} bytes has no event after its signature`)
  }
  if (raw.length > MAX_GROUP_EVENT_BYTES) {
    throw new GroupEventError('GROUP_EVENT_MALFORMED', `event of ${raw.length} bytes exceeds ${MAX_GROUP_EVENT_BYTES}`)
  }
  const signature = raw.subarray(0, SIGNATURE_LENGTH)
  const seen = known?.get(signatureKey(signature))
  if (seen && equalBytes(seen.raw, raw)) return seen
  let event: MembershipUpdateEvent
  try {
    event = decodeProto(MembershipUpdateEventSchema, raw.subarray(SIGNATURE_LENGTH))
  } catch (err) {
    throw new GroupEventError('GROUP_EVENT_MALFORMED', (err as Error).message)
  }
  checkEventBounds(event)
  const { type, clock, members, name } = event
  return { type, clock, members, name, author: null, signature: Uint8Array.from(signature), raw: Uint8Array.from(raw) }
}

/** Recovers the signer of a decoded entry over keccak256(groupId ‖ event bytes). Throws GroupEventError. */
export function verifyGroupEvent(groupId: string, decoded: DecodedGroupEvent): GroupEvent {
  if (decoded.author !== null) return decoded
  const { signature } = decoded
  // go-ethereum's recovery refuses V ≥ 4 (no 27/28 offset), so an event status-go would refuse is refused here too.
  if (signature[64]! >= 4) {
    throw new GroupEventError('BAD_EVENT_SIGNATURE', `signature recovery id ${signature[64]} is not 0–3`)
  }
  let author: Uint8Array
  try {
    author = recoverSigner(eventSigningDigest(groupId, decoded.raw.subarray(SIGNATURE_LENGTH)), signature)
  } catch (err) {
    if (err instanceof CryptoError) throw new GroupEventError('BAD_EVENT_SIGNATURE', err.message)
    throw err
  }
  return { ...decoded, author: chatKeyId(author) }
}

/** decodeGroupEvent then verifyGroupEvent: one received entry with its signer. Throws GroupEventError. */
export function readGroupEvent(groupId: string, raw: Uint8Array, known?: KnownEvents): GroupEvent {
  return verifyGroupEvent(groupId, decodeGroupEvent(raw, known))
}

function checkEventBounds(event: MembershipUpdateEvent): void {
  if (event.members.length > MAX_GROUP_SIZE) {
    const count = event.members.length
    throw new GroupEventError('GROUP_TOO_LARGE', `event lists ${count} members, more than ${MAX_GROUP_SIZE}`)
  }
  for (const member of event.members) {
    // status-go cannot send to a member whose id is not a key, so no honest history holds one.
    if (!isChatKeyId(member)) {
      throw new GroupEventError('GROUP_MEMBER_ID_INVALID', 'event lists a member id that is not a "0x04…" key')
    }
  }
  if (utf8ToBytes(event.name).length > MAX_GROUP_NAME_BYTES) {
    throw new GroupEventError('GROUP_NAME_TOO_LONG', `group name longer than ${MAX_GROUP_NAME_BYTES} bytes`)
  }
}

/**
 * Id of the timeline line an event produces: keccak256(signature) as "0x…", as status-go's
 * eventToSystemMessage, so the line is stored once however often the history is resent.
 */
export function systemMessageId(event: GroupEvent): string {
  return '0x' + bytesToHex(keccak256(event.signature))
}

/**
 * MembershipUpdateMessage bytes {1 chat_id, 2 events (signature ‖ event, in the order given), 3 message}.
 * Status sends the whole history, clock-ordered, with every group message.
 */
export function encodeMembershipUpdate(
  groupId: string,
  events: readonly GroupEvent[],
  message?: MessageInitShape<typeof ChatMessageSchema>
): Uint8Array {
  return toBinary(
    MembershipUpdateMessageSchema,
    create(MembershipUpdateMessageSchema, { chatId: groupId, events: events.map((e) => e.raw), message })
  )
}
