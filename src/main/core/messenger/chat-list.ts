import { hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { type Chat, ChatKind, GroupSummary, type Message, PUBLIC_KEY_PATTERN } from '../../../shared/api'
import { nextClockAndTimestamp, observeClock, type ClockAndTimestamp } from '../protocol/clock'
import type { KnownChat } from '../protocol/chat-matching'
import { MAX_GROUP_NAME_BYTES } from '../protocol/group-limits'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { publicIdentityOfKey } from './identities'
import { CHAT_PREFIX, ChatId, Count, DecimalClock, type RecordKeys } from './records'
import { StagedMap, type Transaction } from './transaction'

/** A joined chat as stored: public chats by name, 1:1 chats by the other person's "0x04…" key. */
export interface ChatRecord {
  id: string
  kind: ChatKind
  joinedAt: number
  /** Lamport clock (decimal string: it outgrows JSON numbers in theory, not in practice). */
  lastClock: string
  /* The summary the chat list shows; absent in records written before main kept the history. */
  lastMessage?: Chat['lastMessage']
  lastActivity?: number
  unread?: number
  lastReadClock?: number
  draft?: string
  muted?: boolean
  /** Private groups: the summary of the stored group state (group-service.ts keeps it current). */
  group?: GroupSummary & { name: string }
}

const ChatRecordSchema: z.ZodType<ChatRecord> = z
  .object({
    id: ChatId,
    kind: ChatKind,
    joinedAt: Count,
    lastClock: DecimalClock,
    lastMessage: z.object({ text: z.string().max(65_536), alias: z.string().max(1024), outgoing: z.boolean(), clock: Count }).optional(),
    lastActivity: Count.optional(),
    unread: Count.optional(),
    lastReadClock: Count.optional(),
    draft: z.string().max(8192).optional(),
    muted: z.boolean().optional(),
    group: GroupSummary.extend({ name: z.string().max(MAX_GROUP_NAME_BYTES) }).optional()
  })
  .refine((chat) => chat.kind !== 'one-to-one' || PUBLIC_KEY_PATTERN.test(chat.id), 'a 1:1 chat is named by a chat key')
  .refine((chat) => chat.kind !== 'group' || chat.group !== undefined, 'a group has its summary')

/**
 * The account's joined chats, loaded once and kept in memory. Every change goes through a Transaction and
 * reaches memory when it commits; reads given the transaction see its staged changes.
 */
export class ChatList {
  private constructor(
    private readonly chats: StagedMap<ChatRecord>,
    private readonly keys: RecordKeys
  ) {}

  /** Loads every readable chat record; an unreadable one is reported to `onUnreadable` and left out. */
  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable?: OnUnreadable): Promise<ChatList> {
    const chats = new Map<string, ChatRecord>()
    for await (const [, record] of iterateParsed(store, CHAT_PREFIX, ChatRecordSchema, onUnreadable)) chats.set(record.id, record)
    return new ChatList(new StagedMap(chats), keys)
  }

  get(id: string, tx?: Transaction): ChatRecord | undefined {
    return this.chats.get(id, tx)
  }

  all(): ChatRecord[] {
    return [...this.chats.values()].sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1))
  }

  /** What protocol/chat-matching needs to place a received message. */
  known(id: string, tx?: Transaction): KnownChat | undefined {
    const chat = this.chats.get(id, tx)
    if (!chat) return undefined
    // A group's messages arrive inside membership updates (group-service.ts); a bare one matches no member.
    if (chat.kind === 'group') return { kind: 'group', joinedMembers: new Set() }
    return chat.kind === 'public' ? { kind: 'public', active: true } : { kind: 'one-to-one' }
  }

  add(tx: Transaction, record: ChatRecord): void {
    this.chats.set(tx, record.id, record)
    tx.putJson(this.keys.chat(record.id), record)
  }

  remove(tx: Transaction, id: string): void {
    this.chats.delete(tx, id)
    tx.del(this.keys.chat(id))
  }

  /** Clock and timestamp for a message we send now in `id`; the chat's clock advances. */
  nextClock(tx: Transaction, id: string, nowMs: number): ClockAndTimestamp {
    const chat = this.require(tx, id)
    const stamp = nextClockAndTimestamp(BigInt(chat.lastClock), nowMs)
    this.add(tx, { ...chat, lastClock: stamp.clock.toString() })
    return stamp
  }

  observe(tx: Transaction, id: string, clock: bigint): void {
    const chat = this.require(tx, id)
    const next = observeClock(BigInt(chat.lastClock), clock)
    if (next.toString() !== chat.lastClock) this.add(tx, { ...chat, lastClock: next.toString() })
  }

  /**
   * A message stored for the first time: it may become the chat's last message, and an incoming one past
   * the read point counts as unread (unless told it was read elsewhere). Returns false when the chat is not joined.
   */
  noteMessage(tx: Transaction, message: Message, options = { unread: true }): boolean {
    const chat = this.chats.get(message.chatId, tx)
    if (!chat) return false
    const next: ChatRecord = { ...chat, lastActivity: Math.max(chat.lastActivity ?? chat.joinedAt, activityOf(message)) }
    if (!chat.lastMessage || message.clock >= chat.lastMessage.clock) {
      // The preview has no room for the look-alike warning: a name flagged as a contact's look-alike is not shown there.
      const name = message.author.lookalike ? message.author.alias : (message.author.displayName ?? message.author.alias)
      next.lastMessage = { text: message.text, alias: name, outgoing: message.outgoing, clock: message.clock }
    }
    const pastReadPoint = !message.outgoing && message.clock > (chat.lastReadClock ?? 0)
    if (pastReadPoint && options.unread) next.unread = (chat.unread ?? 0) + 1
    else if (pastReadPoint) next.lastReadClock = message.clock
    this.add(tx, next)
    return true
  }

  /** Moves the read point to `newestClock`; returns the read point before when something was unread. */
  markRead(tx: Transaction, id: string, newestClock: number): number | null {
    const chat = this.require(tx, id)
    const before = chat.lastReadClock ?? 0
    const lastReadClock = Math.max(before, newestClock)
    if ((chat.unread ?? 0) === 0 && lastReadClock === before) return null
    this.add(tx, { ...chat, unread: 0, lastReadClock })
    return (chat.unread ?? 0) > 0 ? before : null
  }

  setDraft(tx: Transaction, id: string, text: string): void {
    const { draft: _previous, ...chat } = this.require(tx, id)
    this.add(tx, text.trim() === '' ? chat : { ...chat, draft: text })
  }

  setMuted(tx: Transaction, id: string, muted: boolean): void {
    const { muted: _previous, ...chat } = this.require(tx, id)
    this.add(tx, muted ? { ...chat, muted: true } : chat)
  }

  private require(tx: Transaction, id: string): ChatRecord {
    const chat = this.chats.get(id, tx)
    if (!chat) throw new Error(`chat ${id} is not joined`)
    return chat
  }
}

/** When a message counts for sorting: never later than we saw it, so a sender's fast clock cannot pin a chat on top. */
function activityOf(message: Message): number {
  return Math.min(message.timestamp, message.receivedAt)
}

/** The API's view of a chat: 1:1 chats are named by the contact's three-word alias. */
export function toApiChat(record: ChatRecord): Chat {
  const summary = {
    joinedAt: record.joinedAt,
    lastActivity: record.lastActivity ?? record.joinedAt,
    unread: record.unread ?? 0,
    lastReadClock: record.lastReadClock ?? 0,
    ...(record.lastMessage ? { lastMessage: record.lastMessage } : {}),
    ...(record.draft ? { draft: record.draft } : {}),
    ...(record.muted ? { muted: true } : {})
  }
  if (record.kind === 'public') return { id: record.id, kind: 'public', name: record.id, ...summary }
  if (record.kind === 'group') {
    const { name = '', ...group } = record.group ?? { memberCount: 0, invited: false, left: true, admin: false }
    return { id: record.id, kind: 'group', name, group, ...summary }
  }
  const contact = publicIdentityOfKey(hexToBytes(record.id.slice(2)))
  return { id: record.id, kind: 'one-to-one', name: contact.alias, contact, ...summary }
}
