import {
  type DecodedGroupEvent,
  decodeGroupEvent,
  type GroupEvent,
  GroupEventError,
  GroupEventType,
  type GroupRejectionReason,
  signatureKey,
  verifyGroupEvent
} from './group-events'
import { groupIdNamesCreator } from './group-id'
import { MAX_GROUP_EVENTS, MAX_GROUP_ID_LENGTH, MAX_GROUP_SIZE } from './group-limits'
import { firstViolation, membershipEventRules } from './validation'

/*
 * The private group state machine, as status-go v0.52's v1.Group (NewGroupWithEvents) and
 * MessageHandler.HandleMembershipUpdate. Pure: the caller stores GroupState and feeds it back.
 *
 * Receiving (what the messenger calls):
 *   applyMembershipUpdate(stored | null, { chatId, events }, { ownId, nowMs })
 *     → { ok: true, state, accepted, created } | { ok: false, reason, detail, eventIndex? }
 *   `accepted` are the events new to us, clock-ordered: one timeline line each (systemMessageId).
 *   A rejection changes nothing; count it under `reason` (a DropReason).
 *   mayShowGroupMessage(state, authorId, ownId) then gates the update's ChatMessage.
 * Restoring: restoreGroup(id, storedEvents) rebuilds a state without recovering signatures again.
 * Sending lives in group-changes.ts.
 *
 * Rules, in status-go's order:
 * - every event clock is non-zero and at most 120 s ahead of our clock (ValidateMembershipUpdateMessage);
 * - the update's own history must be a valid group on its own (one invalid event rejects the whole
 *   message); for a new group we must be a member; for a known group the history is merged with ours,
 *   deduplicated by signature, and the merge must again be a valid group;
 * - building a group: sort by clock (stable: ties keep their order, as Go's sort does for the short
 *   lists it sees), apply each event that passes `eventRefusal`, and require the first event to be
 *   CHAT_CREATED whose author the id ends with (groupIdNamesCreator);
 * - Hush's bounds (group-limits.ts) on top: malformed member ids, over-long names, more than
 *   MAX_GROUP_SIZE members or MAX_GROUP_EVENTS events reject the message.
 */

/** A group as its verified history defines it. Lists keep status-go's insertion order. */
export interface GroupState {
  readonly id: string
  readonly name: string
  /** "0x04…" id of the CHAT_CREATED signer. */
  readonly creator: string
  readonly members: readonly string[]
  /** Can hold non-members: status-go's ADMINS_ADDED check needs only one target to be a member. */
  readonly admins: readonly string[]
  /** Members who accepted the invitation (always a subset of members). */
  readonly joined: readonly string[]
  /** The whole history, clock-ordered, without duplicate signatures: what every group message carries. */
  readonly events: readonly GroupEvent[]
  /** Clock of the last event (status-go's Group.LastClockValue). */
  readonly lastClock: bigint
}

export interface GroupRejection {
  readonly ok: false
  readonly reason: GroupRejectionReason
  readonly detail: string
  /** Position of the offending event in the received message, when one event is to blame. */
  readonly eventIndex?: number
}

export type GroupResult<T> = ({ readonly ok: true } & T) | GroupRejection

export interface ReceivedMembershipUpdate {
  /** MembershipUpdateMessage.chat_id */
  readonly chatId: string
  /** MembershipUpdateMessage.events: signature ‖ event bytes each. */
  readonly events: readonly Uint8Array[]
}

export interface ApplyContext {
  /** Our own "0x04…" chat key id. */
  readonly ownId: string
  /** Our clock in ms: the reference of the future-clock rule. */
  readonly nowMs: number
}

export type MembershipUpdateResult = GroupResult<{
  readonly state: GroupState
  /** Events we had not seen, clock-ordered. */
  readonly accepted: readonly GroupEvent[]
  /** True when this update introduced the group to us. */
  readonly created: boolean
}>

/** What eventRefusal needs to know about an event. */
export interface ProposedEvent {
  readonly type: GroupEventType
  readonly author: string
  readonly members: readonly string[]
  readonly name: string
}

interface Membership {
  readonly members: ReadonlySet<string>
  readonly admins: ReadonlySet<string>
}

/**
 * Why `event` may not be applied to a group in this state, or null when it may (status-go validateEvent):
 *
 * | event          | allowed when                                                                      |
 * |----------------|-----------------------------------------------------------------------------------|
 * | CHAT_CREATED   | the group has no admins and no members                                            |
 * | NAME_CHANGED   | the author is an admin and the name is not empty                                  |
 * | MEMBERS_ADDED  | the author is an admin                                                            |
 * | MEMBER_JOINED  | the author is a member                                                            |
 * | MEMBER_REMOVED | exactly one target, and it is the author, or the author is an admin and it is not |
 * | ADMINS_ADDED   | the author is an admin and at least one target is a member (status-go's quirk)    |
 * | ADMIN_REMOVED  | exactly one target, the author, who is an admin                                   |
 */
export function eventRefusal(group: GroupState | null, event: ProposedEvent): string | null {
  return refusal(group ? { members: new Set(group.members), admins: new Set(group.admins) } : EMPTY, event)
}

const EMPTY: Membership = { members: new Set(), admins: new Set() }

function refusal(group: Membership, event: ProposedEvent): string | null {
  const isAdmin = group.admins.has(event.author)
  const target = event.members.length === 1 ? event.members[0]! : null
  switch (event.type) {
    case GroupEventType.CHAT_CREATED:
      return group.admins.size === 0 && group.members.size === 0 ? null : 'the group already exists'
    case GroupEventType.NAME_CHANGED:
      if (!isAdmin) return 'only an admin may rename the group'
      return event.name.length > 0 ? null : 'the new name is empty'
    case GroupEventType.MEMBERS_ADDED:
      return isAdmin ? null : 'only an admin may add members'
    case GroupEventType.MEMBER_JOINED:
      return group.members.has(event.author) ? null : 'only an invited member may join'
    case GroupEventType.MEMBER_REMOVED:
      if (target === null) return 'a removal names exactly one member'
      if (target === event.author) return null
      if (!isAdmin) return 'only an admin may remove someone else'
      return group.admins.has(target) ? 'an admin cannot be removed by someone else' : null
    case GroupEventType.ADMINS_ADDED:
      if (!isAdmin) return 'only an admin may add admins'
      return event.members.some((m) => group.members.has(m)) ? null : 'none of the new admins is a member'
    case GroupEventType.ADMIN_REMOVED:
      if (target === null) return 'an admin removal names exactly one admin'
      if (target !== event.author) return 'admins can only step down themselves'
      return isAdmin ? null : 'the author is not an admin'
    default:
      return `unknown event type ${event.type as number}`
  }
}

class GroupBuilder implements Membership {
  name = ''
  readonly members = new Set<string>()
  readonly admins = new Set<string>()
  readonly joined = new Set<string>()

  apply(event: GroupEvent): void {
    const target = event.members[0]!
    switch (event.type) {
      case GroupEventType.CHAT_CREATED:
        this.name = event.name
        this.members.add(event.author)
        this.joined.add(event.author)
        this.admins.add(event.author)
        break
      case GroupEventType.NAME_CHANGED:
        this.name = event.name
        break
      case GroupEventType.MEMBERS_ADDED:
        for (const m of event.members) this.members.add(m)
        break
      case GroupEventType.MEMBER_JOINED:
        this.joined.add(event.author)
        break
      case GroupEventType.MEMBER_REMOVED:
        this.admins.delete(target)
        this.joined.delete(target)
        this.members.delete(target)
        break
      case GroupEventType.ADMINS_ADDED:
        for (const m of event.members) this.admins.add(m)
        break
      case GroupEventType.ADMIN_REMOVED:
        this.admins.delete(target)
        break
    }
  }
}

/**
 * status-go's NewGroupWithEvents: the group `events` define under `groupId`, or a thrown
 * GroupEventError. `positions` maps each event to its index in the received message.
 */
function buildGroup(
  groupId: string,
  events: readonly GroupEvent[],
  positions?: ReadonlyMap<GroupEvent, number>
): GroupState {
  if (events.length === 0) {
    throw new GroupEventError('GROUP_EVENTS_EMPTY', 'a group needs at least its CHAT_CREATED event')
  }
  if (events.length > MAX_GROUP_EVENTS) {
    throw new GroupEventError('GROUP_TOO_MANY_EVENTS', `${events.length} events, more than ${MAX_GROUP_EVENTS}`)
  }
  const sorted = [...events].sort((a, b) => (a.clock < b.clock ? -1 : a.clock > b.clock ? 1 : 0))
  const group = new GroupBuilder()
  for (const event of sorted) {
    const why = refusal(group, event)
    if (why !== null) {
      const what = `${GroupEventType[event.type] ?? event.type} by ${event.author} at clock ${event.clock}`
      throw new GroupEventError('GROUP_EVENT_REFUSED', `${what}: ${why}`, positions?.get(event))
    }
    group.apply(event)
    if (group.members.size > MAX_GROUP_SIZE) {
      throw new GroupEventError('GROUP_TOO_LARGE', `more than ${MAX_GROUP_SIZE} members`, positions?.get(event))
    }
  }
  const first = sorted[0]!
  if (first.type !== GroupEventType.CHAT_CREATED) {
    throw new GroupEventError('GROUP_ID_INVALID', 'the history does not start with CHAT_CREATED')
  }
  if (!groupIdNamesCreator(groupId, first.author)) {
    throw new GroupEventError('GROUP_ID_INVALID', `group id does not end with its creator's key ${first.author}`)
  }
  return {
    id: groupId,
    name: group.name,
    creator: first.author,
    members: [...group.members],
    admins: [...group.admins],
    joined: [...group.joined],
    events: sorted,
    lastClock: sorted[sorted.length - 1]!.clock
  }
}

/**
 * `existing` followed by each event of `incoming` whose signature is not there yet
 * (status-go MergeMembershipUpdateEvents).
 */
export function mergeEvents(existing: readonly GroupEvent[], incoming: readonly GroupEvent[]): GroupEvent[] {
  const seen = new Set(existing.map((e) => signatureKey(e.signature)))
  const merged = [...existing]
  for (const event of incoming) {
    const key = signatureKey(event.signature)
    if (seen.has(key)) continue
    seen.add(key)
    merged.push(event)
  }
  return merged
}

function rejection(err: unknown): GroupRejection {
  if (!(err instanceof GroupEventError)) throw err
  const at = err.eventIndex === undefined ? {} : { eventIndex: err.eventIndex }
  return { ok: false, reason: err.reason, detail: err.message, ...at }
}

/** Rebuilds a group from events this module produced earlier (stored state), without recovering signatures. */
export function restoreGroup(
  groupId: string,
  events: readonly GroupEvent[]
): GroupResult<{ readonly state: GroupState }> {
  try {
    return { ok: true, state: buildGroup(groupId, mergeEvents([], events)) }
  } catch (err) {
    return rejection(err)
  }
}

/** Used by group-changes.ts: the group after appending our own new event, or the typed reason it is refused. */
export function extendGroup(state: GroupState, event: GroupEvent): GroupResult<{ readonly state: GroupState }> {
  try {
    return { ok: true, state: buildGroup(state.id, [...state.events, event]) }
  } catch (err) {
    return rejection(err)
  }
}

/** Applies a received MembershipUpdateMessage (see the module comment). Never throws for bad input. */
export function applyMembershipUpdate(
  current: GroupState | null,
  update: ReceivedMembershipUpdate,
  context: ApplyContext
): MembershipUpdateResult {
  try {
    return apply(current, update, context)
  } catch (err) {
    return rejection(err)
  }
}

/** Runs `step` for entry `index` of the received message, naming that entry in any GroupEventError. */
function atEntry<T>(index: number, step: () => T): T {
  try {
    return step()
  } catch (err) {
    if (err instanceof GroupEventError) throw new GroupEventError(err.reason, err.message, index)
    throw err
  }
}

function apply(
  current: GroupState | null,
  update: ReceivedMembershipUpdate,
  context: ApplyContext
): MembershipUpdateResult {
  const { chatId } = update
  if (chatId.length === 0 || chatId.length > MAX_GROUP_ID_LENGTH) {
    throw new GroupEventError('GROUP_ID_INVALID', `group id of ${chatId.length} characters`)
  }
  if (current && current.id !== chatId) {
    throw new GroupEventError('GROUP_ID_MISMATCH', `update for ${chatId} applied to group ${current.id}`)
  }
  if (update.events.length === 0) throw new GroupEventError('GROUP_EVENTS_EMPTY', 'the update carries no events')
  if (update.events.length > MAX_GROUP_EVENTS) {
    throw new GroupEventError('GROUP_TOO_MANY_EVENTS', `${update.events.length} events, more than ${MAX_GROUP_EVENTS}`)
  }
  const known = new Map(current?.events.map((e) => [signatureKey(e.signature), e]))
  const decoded = update.events.map((raw, index) =>
    atEntry(index, () => {
      const event = decodeGroupEvent(raw, known)
      const clock = firstViolation(membershipEventRules, event, { whisperTimestampMs: context.nowMs, nowMs: context.nowMs })
      if (clock) throw new GroupEventError(clock as 'CLOCK_ZERO' | 'CLOCK_TOO_HIGH', `event clock ${event.clock}`)
      return event
    })
  )
  // Signature recovery is the costly step; a new group that cannot list us is refused before it.
  if (!current && !mayListUs(chatId, decoded, context.ownId)) {
    throw new GroupEventError('GROUP_NOT_A_MEMBER', 'a new group is accepted only when it lists us as a member')
  }
  const events = decoded.map((entry, index) => atEntry(index, () => verifyGroupEvent(chatId, entry)))
  const positions = new Map<GroupEvent, number>()
  events.forEach((event, index) => positions.has(event) || positions.set(event, index))

  // status-go validates the received history on its own before merging it with ours.
  const received = buildGroup(chatId, events, positions)
  if (!current) {
    if (!received.members.includes(context.ownId)) {
      throw new GroupEventError('GROUP_NOT_A_MEMBER', 'a new group is accepted only when it lists us as a member')
    }
    const unique = mergeEvents([], received.events)
    const state = unique.length === received.events.length ? received : buildGroup(chatId, unique, positions)
    return { ok: true, state, accepted: state.events, created: true }
  }
  const merged = mergeEvents(current.events, received.events)
  if (merged.length === current.events.length) return { ok: true, state: current, accepted: [], created: false }
  const state = buildGroup(chatId, merged, positions)
  const accepted = state.events.filter((e) => !known.has(signatureKey(e.signature)))
  return { ok: true, state, accepted, created: false }
}

/**
 * Whether a history could end with us as a member, judged before recovering any signer: one becomes a
 * member by creating the group (its id then ends with our key), by a later CHAT_CREATED once the group
 * has emptied, or by being listed in MEMBERS_ADDED.
 */
function mayListUs(chatId: string, events: readonly DecodedGroupEvent[], ownId: string): boolean {
  if (chatId.endsWith(ownId)) return true
  let creations = 0
  for (const e of events) {
    if (e.type === GroupEventType.CHAT_CREATED && ++creations > 1) return true
    if (e.type === GroupEventType.MEMBERS_ADDED && e.members.includes(ownId)) return true
  }
  return false
}

export function isGroupMember(state: GroupState, id: string): boolean {
  return state.members.includes(id)
}

export function isGroupAdmin(state: GroupState, id: string): boolean {
  return state.admins.includes(id)
}

export function hasJoinedGroup(state: GroupState, id: string): boolean {
  return state.joined.includes(id)
}

/** Invited (listed as a member) but not yet joined: the invitation the UI offers to accept or decline. */
export function isInvited(state: GroupState, id: string): boolean {
  return isGroupMember(state, id) && !hasJoinedGroup(state, id)
}

/** A group we did not know is accepted only if it lists us as a member (HandleMembershipUpdate). */
export function acceptsNewGroup(state: GroupState, ownId: string): boolean {
  return isGroupMember(state, ownId)
}

/** A group chat message is shown only when both its author and we have joined (matchMessage, §3.8). */
export function mayShowGroupMessage(state: GroupState, authorId: string, ownId: string): boolean {
  return hasJoinedGroup(state, authorId) && hasJoinedGroup(state, ownId)
}

/**
 * Who a message to the group goes to, pairwise over 1:1 sessions: every member (joined or only invited)
 * but us, plus `alsoTo` (status-go also sends a removal to the member removed). Our own paired devices
 * are the messenger's concern.
 */
export function groupRecipients(state: GroupState, ownId: string, alsoTo: readonly string[] = []): string[] {
  const out = new Set(state.members)
  for (const id of alsoTo) out.add(id)
  out.delete(ownId)
  return [...out]
}
