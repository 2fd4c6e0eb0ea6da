import { bytesToHex } from '@noble/hashes/utils.js'
import { type Chat, type GroupInfo, type GroupSummary, HushError, type Message, type SystemLine } from '../../../shared/api'
import { secureRandom } from '../primitives/secp256k1'
import { chatKeyId } from '../protocol/chat-matching'
import { nextClockAndTimestamp } from '../protocol/clock'
import { ChatMessage_ContentType } from '../protocol/gen/protobuf/chat_message_pb'
import type { MembershipUpdateMessage } from '../protocol/gen/protobuf/membership_update_message_pb'
import type { ChatMessage } from '../protocol/gen/protobuf/chat_message_pb'
import { changeGroup, createGroup, encodeGroupMessage, type GroupChange, type GroupChangeRefusal } from '../protocol/group-changes'
import { type GroupEvent, GroupEventType, signatureKey, systemMessageId } from '../protocol/group-events'
import {
  applyMembershipUpdate,
  groupRecipients,
  type GroupState,
  hasJoinedGroup,
  isGroupAdmin,
  isGroupMember,
  isInvited,
  mayShowGroupMessage
} from '../protocol/group-state'
import { MAX_GROUP_INVITATIONS } from '../protocol/group-limits'
import { messageId } from '../protocol/message-id'
import type { DropCounter } from '../protocol/validation'
import { MessageKind, type UnwrappedMessage, wrapMessage } from '../protocol/wrapper'
import { TokenBucket } from '../runtime/token-bucket'
import type { ChangeFeed } from './change-feed'
import { toApiChat } from './chat-list'
import type { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import type { DirectSender } from './direct-sender'
import type { GroupStore } from './group-store'
import { parseChatKey } from './identities'
import type { FanoutRef } from './outbox'
import { receivedMessage } from './received-message'
import { checkReplyTarget } from './reply-target'
import { Transaction } from './transaction'

/**
 * How many membership updates that bring events we have not seen one sender may make us verify: each
 * such event costs a signature recovery, and a group's whole history rides on every message. Honest
 * groups change membership a few times a day; a burst covers creating a group and inviting people.
 * Buckets of at most `senders` keys are kept: a fresh key costs a stranger nothing. So groups new to us
 * also share one bucket of `newGroupEvents` events (signatures to recover), whoever sends them: an
 * invitation holds a few dozen, a flood from fresh keys of histories that are refused (and so never
 * stored, never counted as invitations) gets about 30 ms of recovery a second.
 */
export const GROUP_UPDATE_BUDGET = { perSecond: 0.5, burst: 30, senders: 1024, newGroupEvents: { perSecond: 20, burst: 1000 } }

/**
 * Private group chats above the protocol layer (protocol/group-*.ts): creating and changing groups, the
 * stored state of each (group-store.ts), sending every group message as a MembershipUpdateMessage with
 * the whole signed history pairwise over each member's 1:1 channel (MVDS, one record and one
 * acknowledgement per member), and applying what members send. Membership changes become timeline
 * lines stored as codes (SystemLine), which the renderer words.
 */
export class GroupService {
  private readonly budgets = new Map<string, TokenBucket>()
  private readonly newGroups: TokenBucket

  constructor(
    private readonly ctx: Pick<MessengerContext, 'store' | 'identity' | 'ownKeyId' | 'chats' | 'messages' | 'outbox' | 'seen' | 'now' | 'serial'>,
    private readonly groups: GroupStore,
    private readonly parts: {
      feed: ChangeFeed
      direct: DirectSender
      contacts: ContactsService
      /** Whether a key is blocked (blocking-service.ts); nothing it signs is taken. */
      isBlocked?: (id: string, tx?: Transaction) => boolean
    },
    private readonly budget: Partial<typeof GROUP_UPDATE_BUDGET> & { perSecond: number; burst: number } = GROUP_UPDATE_BUDGET
  ) {
    const { perSecond, burst } = budget.newGroupEvents ?? GROUP_UPDATE_BUDGET.newGroupEvents
    this.newGroups = new TokenBucket(perSecond, burst, ctx.now())
  }

  /* --------------------------------------- our changes --------------------------------------- */

  create(name: string, members: readonly string[]): Promise<Chat> {
    const ids = members.map((m) => chatKeyId(parseChatKey(m)))
    if (ids.includes(this.ctx.ownKeyId)) return Promise.reject(new HushError('BAD_REQUEST', 'You are in the group already; list the others.'))
    return this.ctx.serial(async () => {
      const now = this.ctx.now()
      const made = createGroup({
        name: name.trim(),
        members: ids,
        creatorKey: this.ctx.identity.privateKey,
        clock: nextClockAndTimestamp(0n, now).clock,
        random: secureRandom
      })
      if (!made.ok) throw refused(made)
      const tx = new Transaction()
      this.ctx.chats.add(tx, { id: made.state.id, kind: 'group', joinedAt: now, lastClock: '0' })
      const lines = this.stageState(tx, made.state, made.events)
      this.stageUpdate(tx, made.state)
      tx.afterCommit(() => this.parts.feed.upserted(lines))
      await tx.commit(this.ctx.store)
      this.parts.direct.schedule(true)
      return toApiChat(this.ctx.chats.get(made.state.id)!)
    })
  }

  info(chatId: string): GroupInfo {
    const state = this.require(chatId)
    const own = this.ctx.ownKeyId
    const inviter = inviterOf(state, own)
    return {
      id: state.id,
      name: state.name,
      creator: state.creator,
      members: state.members.map((id) => ({
        contact: this.parts.contacts.contact(id),
        admin: isGroupAdmin(state, id),
        joined: hasJoinedGroup(state, id),
        self: id === own
      })),
      admin: isGroupAdmin(state, own),
      joined: hasJoinedGroup(state, own),
      left: !isGroupMember(state, own),
      ...(inviter ? { invitedBy: this.parts.contacts.contact(inviter) } : {})
    }
  }

  accept(chatId: string): Promise<GroupInfo> {
    return this.change(chatId, { kind: 'join' })
  }

  addMembers(chatId: string, members: readonly string[]): Promise<GroupInfo> {
    return this.change(chatId, { kind: 'add-members', members: members.map((m) => chatKeyId(parseChatKey(m))) })
  }

  removeMember(chatId: string, member: string): Promise<GroupInfo> {
    return this.change(chatId, { kind: 'remove-member', member: chatKeyId(parseChatKey(member)) })
  }

  rename(chatId: string, name: string): Promise<GroupInfo> {
    return this.change(chatId, { kind: 'rename', name: name.trim() })
  }

  makeAdmin(chatId: string, member: string): Promise<GroupInfo> {
    return this.change(chatId, { kind: 'add-admins', admins: [chatKeyId(parseChatKey(member))] })
  }

  leave(chatId: string): Promise<GroupInfo> {
    return this.change(chatId, { kind: 'leave' })
  }

  /** Declines an invitation: we leave, and the chat goes with its history. */
  decline(chatId: string): Promise<void> {
    return this.ctx.serial(async () => {
      const tx = new Transaction()
      this.stageForget(tx, chatId)
      await this.ctx.messages.deleteChat(tx, chatId)
      this.ctx.chats.remove(tx, chatId)
      await tx.commit(this.ctx.store)
      this.parts.direct.schedule(true)
      this.parts.feed.chatRemoved(chatId)
    })
  }

  /**
   * For removing a group's chat (already on the serial queue): a member leaves first, so the others stop
   * sending to us, and the group's state goes; the caller removes the chat and its history.
   */
  stageForget(tx: Transaction, chatId: string): void {
    const state = this.require(chatId)
    if (isGroupMember(state, this.ctx.ownKeyId)) {
      const result = changeGroup(state, { kind: 'leave' }, this.ctx.identity.privateKey, this.stageClock(tx, state).clock)
      if (!result.ok) throw refused(result)
      this.stageUpdate(tx, result.state)
    }
    this.groups.remove(tx, chatId)
  }

  /** A text message to the group: one MVDS copy per member (invited ones included, as status-go). */
  send(args: { chatId: string; text: string; responseTo?: string | undefined }): Promise<Message> {
    return this.ctx.serial(async () => {
      const state = this.require(args.chatId)
      const own = this.ctx.ownKeyId
      if (!hasJoinedGroup(state, own)) {
        throw new HushError('CONFLICT', isInvited(state, own) ? 'Join the group to write in it.' : 'You are no longer in this group.')
      }
      await checkReplyTarget(this.ctx.messages, args.chatId, args.responseTo)
      const tx = new Transaction()
      const { clock, timestamp } = this.stageClock(tx, state)
      const content = { clock, timestamp, text: args.text, responseTo: args.responseTo ?? '', contentType: ChatMessage_ContentType.TEXT_PLAIN }
      const wrapper = wrapMessage(encodeGroupMessage(state, content), MessageKind.MEMBERSHIP_UPDATE_MESSAGE, this.ctx.identity.privateKey)
      const fanout: FanoutRef[] = groupRecipients(state, own).map((peer) => ({
        peer,
        sync: this.parts.direct.queue(tx, peer, wrapper),
        delivered: false
      }))
      const message: Message = {
        id: messageId(this.ctx.identity.publicKey, wrapper),
        chatId: state.id,
        chatKind: 'group',
        author: this.parts.contacts.authorOf(own),
        outgoing: true,
        text: args.text,
        clock: Number(clock),
        timestamp: Number(timestamp),
        receivedAt: this.ctx.now(),
        ...(args.responseTo ? { responseTo: args.responseTo } : {}),
        // Alone in the group: nobody to deliver to.
        status: fanout.length > 0 ? 'sending' : 'sent',
        delivery: { delivered: 0, total: fanout.length }
      }
      this.ctx.seen.add(tx, message.id, this.ctx.now())
      this.parts.feed.storeNew(tx, message)
      this.ctx.chats.setDraft(tx, state.id, '')
      if (fanout.length > 0) this.ctx.outbox.put(tx, { message, wrapper: bytesToHex(wrapper), fanout })
      tx.afterCommit(() => this.parts.feed.upserted([message]))
      await tx.commit(this.ctx.store)
      this.parts.direct.schedule(true)
      return message
    })
  }

  /* --------------------------------------- receiving --------------------------------------- */

  /**
   * A MembershipUpdateMessage that reached us over a 1:1 channel (already on the serial queue, staged
   * into the receiver's transaction). Returns the timeline lines and the message it adds. A rejected
   * update changes nothing and is counted; so is a chat message whose author or we have not joined.
   */
  receive(
    tx: Transaction,
    envelope: UnwrappedMessage,
    update: MembershipUpdateMessage,
    chatMessage: ChatMessage | null,
    drops: DropCounter
  ): Message[] {
    const now = this.ctx.now()
    const author = chatKeyId(envelope.author)
    // The receiver drops a blocked key's envelopes before decrypting, but a wrapper it signed can travel in
    // an envelope signed by any other key: the author decides, as for 1:1 and public messages.
    if (this.parts.isBlocked?.(author, tx)) {
      drops.record('GROUP_AUTHOR_BLOCKED')
      return []
    }
    const stored = this.groups.get(update.chatId, tx) ?? null
    if (!stored && this.unjoinedGroups() >= MAX_GROUP_INVITATIONS) {
      drops.record('GROUP_INVITATION_LIMIT')
      return []
    }
    const costly = bringsNewEvents(stored, update.events)
    if ((costly && !this.budgetOf(author).take(1, now)) || (!stored && !this.newGroups.take(update.events.length, now))) {
      drops.record('GROUP_UPDATE_RATE_LIMITED')
      return []
    }
    const applied = applyMembershipUpdate(stored, { chatId: update.chatId, events: update.events }, { ownId: this.ctx.ownKeyId, nowMs: now })
    if (!applied.ok) {
      drops.record(applied.reason)
      return []
    }
    const { state } = applied
    const shown: Message[] = []
    if (applied.accepted.length > 0) {
      if (!this.ctx.chats.get(state.id, tx)) this.ctx.chats.add(tx, { id: state.id, kind: 'group', joinedAt: now, lastClock: '0' })
      shown.push(...this.stageState(tx, state, applied.accepted))
    }
    if (!chatMessage) return shown
    if (!this.ctx.chats.get(state.id, tx) || !mayShowGroupMessage(state, author, this.ctx.ownKeyId)) {
      drops.record('GROUP_MEMBERSHIP_NOT_JOINED')
      return shown
    }
    if (this.ctx.seen.has(envelope.id, tx)) return shown
    this.ctx.chats.observe(tx, state.id, chatMessage.clock)
    this.ctx.seen.add(tx, envelope.id, now)
    const outgoing = author === this.ctx.ownKeyId
    const message = receivedMessage(envelope, chatMessage, { chatId: state.id, chatKind: 'group', author: this.parts.contacts.authorOf(author), outgoing, receivedAt: now })
    this.parts.feed.storeNew(tx, message)
    shown.push(message)
    return shown
  }

  /* ---------------------------------------- plumbing --------------------------------------- */

  private change(chatId: string, change: GroupChange): Promise<GroupInfo> {
    return this.ctx.serial(async () => {
      const state = this.require(chatId)
      const tx = new Transaction()
      const result = changeGroup(state, change, this.ctx.identity.privateKey, this.stageClock(tx, state).clock)
      if (!result.ok) throw refused(result)
      const lines = this.stageState(tx, result.state, [result.event])
      // status-go tells a removed member of the removal; nothing after it reaches them.
      this.stageUpdate(tx, result.state, change.kind === 'remove-member' ? [change.member] : [])
      tx.afterCommit(() => this.parts.feed.upserted(lines))
      await tx.commit(this.ctx.store)
      this.parts.direct.schedule(true)
      return this.info(chatId)
    })
  }

  /** The clock of something we add to the group now: after the chat's messages and the group's events. */
  private stageClock(tx: Transaction, state: GroupState) {
    this.ctx.chats.observe(tx, state.id, state.lastClock)
    return this.ctx.chats.nextClock(tx, state.id, this.ctx.now())
  }

  /** The new state, the chat's summary and a timeline line per new event; returns the lines. */
  private stageState(tx: Transaction, state: GroupState, events: readonly GroupEvent[]): Message[] {
    this.groups.put(tx, state)
    this.ctx.chats.observe(tx, state.id, state.lastClock)
    this.ctx.chats.add(tx, { ...this.ctx.chats.get(state.id, tx)!, group: this.summaryOf(state) })
    this.parts.feed.chatChanged(tx, state.id)
    const lines: Message[] = []
    for (const event of events) {
      const line = this.systemLine(state.id, event)
      if (this.ctx.seen.has(line.id, tx)) continue
      this.ctx.seen.add(tx, line.id, this.ctx.now())
      this.ctx.messages.put(tx, line)
      lines.push(line)
    }
    return lines
  }

  /** The history alone (a membership change) to every member, reliably but without an outbox entry. */
  private stageUpdate(tx: Transaction, state: GroupState, alsoTo: readonly string[] = []): void {
    const wrapper = wrapMessage(encodeGroupMessage(state), MessageKind.MEMBERSHIP_UPDATE_MESSAGE, this.ctx.identity.privateKey)
    for (const peer of groupRecipients(state, this.ctx.ownKeyId, alsoTo)) this.parts.direct.queue(tx, peer, wrapper)
  }

  private summaryOf(state: GroupState): GroupSummary & { name: string } {
    const own = this.ctx.ownKeyId
    const inviter = inviterOf(state, own)
    return {
      name: state.name,
      memberCount: state.members.length,
      invited: isInvited(state, own),
      left: !isGroupMember(state, own),
      admin: isGroupAdmin(state, own),
      ...(inviter ? { invitedBy: inviter } : {})
    }
  }

  private systemLine(chatId: string, event: GroupEvent): Message {
    const own = event.author === this.ctx.ownKeyId
    return {
      id: systemMessageId(event),
      chatId,
      chatKind: 'group',
      author: this.parts.contacts.authorOf(event.author),
      outgoing: own,
      text: '',
      clock: Number(event.clock),
      timestamp: Number(event.clock),
      receivedAt: this.ctx.now(),
      status: own ? 'sent' : 'received',
      system: systemLineOf(event)
    }
  }

  private require(chatId: string): GroupState {
    const state = this.groups.get(chatId)
    if (!state || this.ctx.chats.get(chatId)?.kind !== 'group') throw new HushError('NOT_FOUND', 'You are not in that group.')
    return state
  }

  /** Groups we have not joined: invitations, and groups that removed us before we joined. */
  private unjoinedGroups(): number {
    let count = 0
    for (const state of this.groups.all()) if (!hasJoinedGroup(state, this.ctx.ownKeyId)) count++
    return count
  }

  private budgetOf(author: string): TokenBucket {
    let bucket = this.budgets.get(author)
    if (!bucket) {
      if (this.budgets.size >= this.senderCap) this.forgetBudgets()
      bucket = new TokenBucket(this.budget.perSecond, this.budget.burst, this.ctx.now())
      this.budgets.set(author, bucket)
    }
    return bucket
  }

  private get senderCap(): number {
    return this.budget.senders ?? GROUP_UPDATE_BUDGET.senders
  }

  /**
   * Keeps the budgets below `senders`, as every fresh key gets one: a full bucket goes (a new one is the
   * same), then the oldest, down to half, so the sweep runs once per many new senders.
   */
  private forgetBudgets(): void {
    const now = this.ctx.now()
    for (const [author, bucket] of this.budgets) if (bucket.available(now) >= this.budget.burst) this.budgets.delete(author)
    for (const author of this.budgets.keys()) {
      if (this.budgets.size < this.senderCap / 2) break
      this.budgets.delete(author)
    }
  }
}

/** Whether an update carries an event whose signature is not in our history (the costly case). */
function bringsNewEvents(stored: GroupState | null, events: readonly Uint8Array[]): boolean {
  if (!stored) return true
  const known = new Set(stored.events.map((e) => signatureKey(e.signature)))
  return events.some((raw) => !known.has(signatureKey(raw.subarray(0, 65))))
}

/** Who listed `own` in the latest MEMBERS_ADDED, for the invitation ("Alice invited you"). */
function inviterOf(state: GroupState, own: string): string | undefined {
  if (state.creator === own) return undefined
  const added = state.events.filter((e) => e.type === GroupEventType.MEMBERS_ADDED && e.members.includes(own))
  return added[added.length - 1]?.author
}

function systemLineOf(event: GroupEvent): SystemLine {
  const actor = event.author
  switch (event.type) {
    case GroupEventType.CHAT_CREATED:
      return { code: 'group.created', actor, name: event.name }
    case GroupEventType.NAME_CHANGED:
      return { code: 'group.renamed', actor, name: event.name }
    case GroupEventType.MEMBERS_ADDED:
      return { code: 'group.member-added', actor, members: [...event.members] }
    case GroupEventType.MEMBER_JOINED:
      return { code: 'group.member-joined', actor }
    case GroupEventType.MEMBER_REMOVED:
      return event.members[0] === actor ? { code: 'group.member-left', actor } : { code: 'group.member-removed', actor, members: [...event.members] }
    case GroupEventType.ADMINS_ADDED:
      return { code: 'group.admin-added', actor, members: [...event.members] }
    default:
      return { code: 'group.admin-removed', actor }
  }
}

function refused(refusal: GroupChangeRefusal): HushError {
  const code = refusal.reason === 'NOT_ALLOWED' || refusal.reason === 'ALREADY_MEMBER' || refusal.reason === 'NOT_A_MEMBER' ? 'CONFLICT' : 'BAD_REQUEST'
  return new HushError(code, refusal.detail, [refusal.reason])
}
