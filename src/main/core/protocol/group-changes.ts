import type { MessageInitShape } from '@bufbuild/protobuf'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { publicKeyOf, type RandomBytes } from '../primitives/secp256k1'
import { chatKeyId, isChatKeyId } from './chat-matching'
import { ChatMessage_MessageType as MessageType, type ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import {
  encodeMembershipUpdate,
  type GroupEvent,
  type GroupEventFields,
  GroupEventType,
  signGroupEvent
} from './group-events'
import { newGroupId } from './group-id'
import { MAX_GROUP_NAME_BYTES, MAX_GROUP_SIZE } from './group-limits'
import { extendGroup, type GroupState, isGroupMember, restoreGroup } from './group-state'

/*
 * Our own changes to a private group, made the way status-go v0.52's Messenger makes them
 * (CreateGroupChatWithMembers, ConfirmJoiningGroup, ChangeGroupChatName, AddMembersToGroupChat,
 * RemoveMemberFromGroupChat, LeaveGroupChat, AddAdminsToGroupChat):
 *
 *   createGroup({ name, members, creatorKey, clock, random }) → { ok, state, events } | refusal
 *   changeGroup(state, change, signerKey, clock)               → { ok, state, event }  | refusal
 *   encodeGroupMessage(state, content?)                        → MembershipUpdateMessage bytes
 *
 * Then wrap the bytes as MEMBERSHIP_UPDATE_MESSAGE (wrapper.ts) and send them to groupRecipients(…)
 * (for a removal, also to the member removed). `clock` is the caller's Lamport clock:
 * nextClockAndTimestamp(max(chat clock, state.lastClock), now) as status-go's NextClockAndTimestamp.
 *
 * A change must pass the receivers' rules (group-state.ts eventRefusal), or no status-go peer would
 * accept the message; Hush is stricter about what it makes itself (every new admin a member, no
 * blank names, no duplicate or unknown targets), and never exceeds group-limits.ts.
 */

export type GroupChange =
  | { readonly kind: 'rename'; readonly name: string }
  | { readonly kind: 'add-members'; readonly members: readonly string[] }
  | { readonly kind: 'join' }
  | { readonly kind: 'remove-member'; readonly member: string }
  | { readonly kind: 'leave' }
  | { readonly kind: 'add-admins'; readonly admins: readonly string[] }
  | { readonly kind: 'resign-admin' }

export type GroupChangeRefusalReason =
  | 'NOT_ALLOWED'
  | 'NAME_BLANK'
  | 'NAME_TOO_LONG'
  | 'MEMBER_ID_INVALID'
  | 'NO_MEMBERS'
  | 'ALREADY_MEMBER'
  | 'NOT_A_MEMBER'
  | 'GROUP_TOO_LARGE'
  | 'TOO_MANY_EVENTS'
  | 'CLOCK_NOT_AFTER_LAST'

export interface GroupChangeRefusal {
  readonly ok: false
  readonly reason: GroupChangeRefusalReason
  readonly detail: string
}

export type GroupChangeResult =
  | { readonly ok: true; readonly state: GroupState; readonly event: GroupEvent }
  | GroupChangeRefusal

export interface NewGroup {
  readonly name: string
  /** "0x04…" ids of the people invited, the creator excluded. */
  readonly members: readonly string[]
  readonly creatorKey: Uint8Array
  /** Clock of CHAT_CREATED; MEMBERS_ADDED follows at clock + 1, as two NextClockAndTimestamp calls in one ms give. */
  readonly clock: bigint
  readonly random: RandomBytes
}

export type NewGroupResult =
  | { readonly ok: true; readonly state: GroupState; readonly events: readonly GroupEvent[] }
  | GroupChangeRefusal

function refuse(reason: GroupChangeRefusalReason, detail: string): GroupChangeRefusal {
  return { ok: false, reason, detail }
}

function nameProblem(name: string): GroupChangeRefusal | null {
  if (name.trim().length === 0) return refuse('NAME_BLANK', 'a group name cannot be blank')
  if (utf8ToBytes(name).length > MAX_GROUP_NAME_BYTES) {
    return refuse('NAME_TOO_LONG', `a group name is at most ${MAX_GROUP_NAME_BYTES} bytes`)
  }
  return null
}

function idsProblem(ids: readonly string[]): GroupChangeRefusal | null {
  if (ids.length === 0) return refuse('NO_MEMBERS', 'name at least one member')
  if (!ids.every(isChatKeyId)) return refuse('MEMBER_ID_INVALID', 'member ids are "0x04…" chat keys')
  if (new Set(ids).size !== ids.length) return refuse('MEMBER_ID_INVALID', 'a member is listed twice')
  return null
}

export function createGroup(spec: NewGroup): NewGroupResult {
  const creator = chatKeyId(publicKeyOf(spec.creatorKey, false))
  const problem = nameProblem(spec.name) ?? idsProblem(spec.members)
  if (problem) return problem
  if (spec.members.includes(creator)) return refuse('ALREADY_MEMBER', 'the creator is a member already')
  if (spec.members.length + 1 > MAX_GROUP_SIZE) {
    return refuse('GROUP_TOO_LARGE', `a group has at most ${MAX_GROUP_SIZE} members, its creator included`)
  }
  if (spec.clock <= 0n) return refuse('CLOCK_NOT_AFTER_LAST', 'event clocks start above 0')
  const id = newGroupId(creator, spec.random)
  const created = signGroupEvent(
    id,
    { type: GroupEventType.CHAT_CREATED, clock: spec.clock, name: spec.name },
    spec.creatorKey
  )
  const added = signGroupEvent(
    id,
    { type: GroupEventType.MEMBERS_ADDED, clock: spec.clock + 1n, members: spec.members },
    spec.creatorKey
  )
  const built = restoreGroup(id, [created, added])
  if (!built.ok) return refuse('NOT_ALLOWED', built.detail)
  return { ok: true, state: built.state, events: [created, added] }
}

function fieldsFor(
  state: GroupState,
  change: GroupChange,
  actor: string,
  clock: bigint
): GroupEventFields | GroupChangeRefusal {
  switch (change.kind) {
    case 'rename':
      return nameProblem(change.name) ?? { type: GroupEventType.NAME_CHANGED, clock, name: change.name }
    case 'add-members': {
      const problem = idsProblem(change.members)
      if (problem) return problem
      if (change.members.some((m) => isGroupMember(state, m))) {
        return refuse('ALREADY_MEMBER', 'someone listed is a member already')
      }
      return { type: GroupEventType.MEMBERS_ADDED, clock, members: change.members }
    }
    case 'join':
      return { type: GroupEventType.MEMBER_JOINED, clock }
    case 'remove-member':
      if (!isChatKeyId(change.member)) return refuse('MEMBER_ID_INVALID', 'member ids are "0x04…" chat keys')
      if (!isGroupMember(state, change.member)) return refuse('NOT_A_MEMBER', 'that person is not a member')
      return { type: GroupEventType.MEMBER_REMOVED, clock, members: [change.member] }
    case 'leave':
      return { type: GroupEventType.MEMBER_REMOVED, clock, members: [actor] }
    case 'add-admins': {
      const problem = idsProblem(change.admins)
      if (problem) return problem
      // Stricter than the receivers' rule, which wants only one of them to be a member.
      if (!change.admins.every((m) => isGroupMember(state, m))) {
        return refuse('NOT_A_MEMBER', 'every new admin must be a member')
      }
      return { type: GroupEventType.ADMINS_ADDED, clock, members: change.admins }
    }
    case 'resign-admin':
      return { type: GroupEventType.ADMIN_REMOVED, clock, members: [actor] }
  }
}

/** Signs `change` with `signerKey` at `clock` and applies it, or says why the group's rules refuse it. */
export function changeGroup(
  state: GroupState,
  change: GroupChange,
  signerKey: Uint8Array,
  clock: bigint
): GroupChangeResult {
  if (clock <= state.lastClock) {
    return refuse('CLOCK_NOT_AFTER_LAST', `clock ${clock} is not after the group's last event at ${state.lastClock}`)
  }
  const actor = chatKeyId(publicKeyOf(signerKey, false))
  const fields = fieldsFor(state, change, actor, clock)
  if ('ok' in fields) return fields
  const event = signGroupEvent(state.id, fields, signerKey)
  const extended = extendGroup(state, event)
  if (extended.ok) return { ok: true, state: extended.state, event }
  switch (extended.reason) {
    case 'GROUP_TOO_LARGE':
      return refuse('GROUP_TOO_LARGE', extended.detail)
    case 'GROUP_TOO_MANY_EVENTS':
      return refuse('TOO_MANY_EVENTS', extended.detail)
    default:
      return refuse('NOT_ALLOWED', extended.detail)
  }
}

/** A group ChatMessage's own fields; the group id and PRIVATE_GROUP are filled in. */
export type GroupMessageContent = Omit<
  MessageInitShape<typeof ChatMessageSchema>,
  'chatId' | 'messageType' | '$typeName'
>

/**
 * The MembershipUpdateMessage every group send carries: the whole clock-ordered history and, for a
 * chat message, the ChatMessage with chat_id = group id and message_type PRIVATE_GROUP.
 */
export function encodeGroupMessage(state: GroupState, content?: GroupMessageContent): Uint8Array {
  const message = content && { ...content, chatId: state.id, messageType: MessageType.PRIVATE_GROUP }
  return encodeMembershipUpdate(state.id, state.events, message)
}
