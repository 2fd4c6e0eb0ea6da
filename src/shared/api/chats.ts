import * as z from 'zod'
import { Identicon, PublicIdentity } from './accounts'
import { MAX_DISPLAY_NAME_LENGTH } from './contacts'
import { method } from './contract'
import { HistoryFailure } from './reasons'

export const PUBLIC_KEY_PATTERN = /^0x04[0-9a-f]{128}$/
const PublicKey = z.string().regex(PUBLIC_KEY_PATTERN, 'must be a chat key: 0x04 followed by 128 lowercase hex digits')

/** A message id as every peer computes it (keccak256, lowercase hex with 0x): what a reply's `responseTo` names. */
export const MESSAGE_ID_PATTERN = /^0x[0-9a-f]{64}$/
const MessageId = z.string().regex(MESSAGE_ID_PATTERN, 'must be a message id: 0x followed by 64 lowercase hex digits')

export const ChatKind = z.enum(['public', 'one-to-one', 'group'])
export type ChatKind = z.infer<typeof ChatKind>

/** What the chat list and header show about a private group; groups.info has the members. */
export const GroupSummary = z.object({
  memberCount: z.number().int().nonnegative(),
  /** We are listed but have not joined: the chat shows the invitation. */
  invited: z.boolean(),
  /** We left, declined or were removed: nothing new arrives or can be sent. */
  left: z.boolean(),
  admin: z.boolean(),
  /** Who added us (the signer of the MEMBERS_ADDED that listed us). */
  invitedBy: z.string().regex(PUBLIC_KEY_PATTERN).optional()
})
export type GroupSummary = z.infer<typeof GroupSummary>

/**
 * A chat this account has joined: main keeps the list because it decides which Whisper filters are
 * installed. Public chats are keyed by their name, 1:1 chats by the other person's chat key, private
 * groups by their "<uuid>-0x04<creator>" id.
 */
export const Chat = z.object({
  id: z.string(),
  kind: ChatKind,
  /** Public chat name, or the contact's alias for a 1:1 chat. */
  name: z.string(),
  /** For 1:1 chats: the other person. */
  contact: PublicIdentity.optional(),
  joinedAt: z.number(),
  /** The message with the highest clock, for the chat list. */
  lastMessage: z.object({ text: z.string(), alias: z.string(), outgoing: z.boolean(), clock: z.number() }).optional(),
  /** Milliseconds; the list is sorted by it, newest first (never later than a message was seen). */
  lastActivity: z.number(),
  /** Incoming messages past the read point. */
  unread: z.number().int().nonnegative(),
  /** Incoming messages up to this clock have been seen; the "new messages" divider goes after it. */
  lastReadClock: z.number(),
  /** What the person started writing and did not send. */
  draft: z.string().optional(),
  /** No notifications and no unread badge (chats.setMuted). */
  muted: z.boolean().optional(),
  group: GroupSummary.optional()
})
export type Chat = z.infer<typeof Chat>

export const Author = z.object({
  publicKey: PublicKey,
  alias: z.string(),
  identicon: Identicon,
  /**
   * The name the author chose, when known: from the contact store, or for a public-chat author we never met,
   * the name their signed message carried (docs/contact-names.md).
   */
  displayName: z.string().max(2 * MAX_DISPLAY_NAME_LENGTH).optional(),
  /** A public-chat author we never met whose names look like a contact's (docs/safety-number.md §3). */
  lookalike: z.boolean().optional()
})
export type Author = z.infer<typeof Author>

/**
 * Honest delivery states: sending (queued here), waiting (posted, but no connected peer would take it:
 * none, or all ask more proof of work than we mine to), sent (a peer took it), delivered (the
 * recipient's node acknowledged it), not-sent (gave up; can be resent). Received messages are "received".
 */
export const MessageStatus = z.enum(['sending', 'waiting', 'sent', 'delivered', 'not-sent', 'received'])
export type MessageStatus = z.infer<typeof MessageStatus>

/**
 * A timeline line that is no one's message: a membership change of a group. Main stores codes and keys,
 * the renderer's catalog turns them into words ("group.member-added" → "Alice added Carol").
 */
export const SystemLine = z.object({
  code: z.enum([
    'group.created',
    'group.renamed',
    'group.member-added',
    'group.member-joined',
    'group.member-left',
    'group.member-removed',
    'group.admin-added',
    'group.admin-removed'
  ]),
  /** Who made the change. */
  actor: z.string().regex(PUBLIC_KEY_PATTERN),
  /** Whom it concerns (added, removed, made admin). */
  members: z.array(z.string().regex(PUBLIC_KEY_PATTERN)).max(32).optional(),
  /** The group's name after a creation or rename. */
  name: z.string().max(1024).optional()
})
export type SystemLine = z.infer<typeof SystemLine>

export const Message = z.object({
  /** keccak256(author key ‖ wrapper bytes), hex with 0x: the same id every peer computes. */
  id: z.string(),
  chatId: z.string(),
  chatKind: ChatKind,
  author: Author,
  outgoing: z.boolean(),
  text: z.string(),
  /** Lamport clock: the order of messages in a chat. */
  clock: z.number(),
  /** Sender's wall clock when sent (ms), for display only. */
  timestamp: z.number(),
  /** When this node first saw it (ms). */
  receivedAt: z.number(),
  /** The id of the message this one replies to (status-go's `response_to`), which may be one we never got. */
  responseTo: z.string().optional(),
  status: MessageStatus,
  /** Present on a group's membership lines; `text` is then empty. */
  system: SystemLine.optional(),
  /** Our group messages: how many recipients' nodes acknowledged it, of how many ("delivered to 3 of 4"). */
  delivery: z.object({ delivered: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).optional()
})
export type Message = z.infer<typeof Message>

/**
 * Part of a conversation as an inclusive range of Lamport clocks; null is an open end. Ranges rather than
 * counts keep a window stable while messages arrive.
 */
export const MessageRange = z.object({ lower: z.number().nullable(), upper: z.number().nullable() }).strict()
export type MessageRange = z.infer<typeof MessageRange>

export const HistoryWindow = z.object({
  messages: z.array(Message),
  /** The range actually read: a flood of new messages at the open end raises `lower`. */
  range: MessageRange,
  hasOlder: z.boolean(),
  hasNewer: z.boolean()
})
export type HistoryWindow = z.infer<typeof HistoryWindow>

/** The most messages one history call reads. */
export const HISTORY_READ_LIMIT = 1_000
const ChatId = z.string().max(300)

export const ENODE_PATTERN = /^enode:\/\/[0-9a-f]{128}@[^\s:@/]+:\d{1,5}$/
const Enode = z.string().max(300).regex(ENODE_PATTERN, 'must be an enode URL: enode://<128 hex digits>@host:port')

/** Where this account's node connects, persisted per account in main. */
export const NetworkSettings = z.object({
  bootnodes: z.array(Enode).max(32),
  staticPeers: z.array(Enode).max(32),
  /** Trusted mailservers for offline history; the first reachable one is used. */
  mailservers: z.array(Enode).max(8)
})
export type NetworkSettings = z.infer<typeof NetworkSettings>

export const chatMethods = {
  'settings.network.get': method(z.object({}).strict(), NetworkSettings),
  'settings.network.set': method(NetworkSettings.strict(), NetworkSettings),
  'chats.list': method(z.object({}).strict(), z.array(Chat)),
  'chats.joinPublic': method(z.object({ name: z.string().max(300) }).strict(), Chat),
  'chats.startOneToOne': method(z.object({ publicKey: z.string().max(200) }).strict(), Chat),
  'chats.leave': method(z.object({ chatId: z.string().max(300) }).strict(), z.object({})),
  'messages.send': method(
    z.object({ chatId: z.string().max(300), text: z.string().min(1).max(4096), responseTo: MessageId.optional() }).strict(),
    Message,
    { timeoutMs: 60_000 }
  ),
  /** Sends a not-sent message again, under the same id. */
  'messages.resend': method(z.object({ id: z.string().max(80) }).strict(), Message),
  /**
   * The person has seen every message in the chat. Returns the read point that held before when something
   * was unread (the "new messages" divider goes after it), else null.
   */
  'chats.markRead': method(z.object({ chatId: ChatId }).strict(), z.object({ previousReadClock: z.number().nullable() })),
  'chats.setDraft': method(z.object({ chatId: ChatId, text: z.string().max(8192) }).strict(), z.object({})),
  /** Messages a renderer stored before main owned the history, handed over once; returns how many were new. */
  'history.import': method(z.object({ messages: z.array(Message).max(500) }).strict(), z.object({ imported: z.number() })),
  /** The messages of a chat in `range`, at most `limit` (the end being followed wins). */
  'history.read': method(
    z.object({ chatId: ChatId, range: MessageRange, limit: z.number().int().min(1).max(HISTORY_READ_LIMIT) }).strict(),
    HistoryWindow
  ),
  /**
   * A new range for a window: the newest `page` messages (latest), or `range` grown by up to `page` older or
   * newer messages, dropping those beyond `max` at the other end.
   */
  'history.extend': method(
    z
      .object({
        chatId: ChatId,
        direction: z.enum(['latest', 'older', 'newer']),
        range: MessageRange,
        page: z.number().int().min(1).max(HISTORY_READ_LIMIT),
        max: z.number().int().min(1).max(HISTORY_READ_LIMIT)
      })
      .strict(),
    MessageRange
  ),
  /**
   * The range of a window of about `page` messages centred on one message, to jump to it (a reply's
   * original); NOT_FOUND when the chat does not hold it.
   */
  'history.around': method(
    z.object({ chatId: ChatId, messageId: MessageId, page: z.number().int().min(2).max(HISTORY_READ_LIMIT) }).strict(),
    MessageRange
  ),
  /** Those of `ids` that this chat holds (the originals of replies outside the window); the others are left out. */
  'history.get': method(z.object({ chatId: ChatId, ids: z.array(MessageId).max(HISTORY_READ_LIMIT) }).strict(), z.array(Message)),
  /** Asks the configured mailserver for what this node missed. */
  'history.request': method(z.object({ sinceSeconds: z.number().int().positive().max(30 * 86_400).optional() }).strict(), z.object({ requested: z.boolean() }), {
    timeoutMs: 120_000
  }),
  /** Counters of messages dropped for failing validation, by reason (a debug view). */
  'debug.drops': method(z.object({}).strict(), z.record(z.string(), z.number()))
}

export const HistoryState = z.object({
  state: z.enum(['idle', 'fetching', 'done', 'failed']),
  /** Seconds since the epoch up to which history is known complete. */
  syncedUntil: z.number().nullable(),
  /** A gap the mailserver could not fill, shown in the timeline. */
  gap: z.object({ from: z.number(), to: z.number() }).nullable(),
  /** Why the last fetch failed (its detail is in main's log). */
  failure: HistoryFailure.optional()
})
export type HistoryState = z.infer<typeof HistoryState>

export const chatEvents = {
  /** New or changed messages (received, sent, or a status change), once committed to main's history. */
  'messages.upserted': z.object({ messages: z.array(Message) }),
  /** Chats joined or changed (a new message, a read point, a draft), and chats left: deltas, not the list. */
  'chats.changed': z.object({ chats: z.array(Chat), removed: z.array(z.string()) }),
  'history.state': HistoryState
}
