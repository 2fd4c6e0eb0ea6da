import * as z from 'zod'
import { Identicon, PublicIdentity } from './accounts'
import { method } from './contract'

export const PUBLIC_KEY_PATTERN = /^0x04[0-9a-f]{128}$/
const PublicKey = z.string().regex(PUBLIC_KEY_PATTERN, 'must be a chat key: 0x04 followed by 128 lowercase hex digits')

export const ChatKind = z.enum(['public', 'one-to-one'])
export type ChatKind = z.infer<typeof ChatKind>

/**
 * A chat this account has joined: main keeps the list because it decides which Whisper filters are
 * installed. Public chats are keyed by their name, 1:1 chats by the other person's chat key.
 */
export const Chat = z.object({
  id: z.string(),
  kind: ChatKind,
  /** Public chat name, or the contact's alias for a 1:1 chat. */
  name: z.string(),
  /** For 1:1 chats: the other person. */
  contact: PublicIdentity.optional(),
  joinedAt: z.number()
})
export type Chat = z.infer<typeof Chat>

export const Author = z.object({
  publicKey: PublicKey,
  alias: z.string(),
  identicon: Identicon,
  /** The name the author chose (from the contact store), when known. */
  displayName: z.string().optional()
})
export type Author = z.infer<typeof Author>

/**
 * Honest delivery states: sending (queued here), waiting (posted, but no connected peer would take it:
 * none, or all ask more proof of work than we mine to), sent (a peer took it), delivered (the
 * recipient's node acknowledged it), not-sent (gave up; can be resent). Received messages are "received".
 */
export const MessageStatus = z.enum(['sending', 'waiting', 'sent', 'delivered', 'not-sent', 'received'])
export type MessageStatus = z.infer<typeof MessageStatus>

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
  responseTo: z.string().optional(),
  status: MessageStatus
})
export type Message = z.infer<typeof Message>

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
    z.object({ chatId: z.string().max(300), text: z.string().min(1).max(4096), responseTo: z.string().max(80).optional() }).strict(),
    Message,
    { timeoutMs: 60_000 }
  ),
  /** Sends a not-sent message again, under the same id. */
  'messages.resend': method(z.object({ id: z.string().max(80) }).strict(), Message),
  /** The renderer stored these updates: main may forget them. */
  'messages.ack': method(z.object({ ids: z.array(z.string().max(80)).max(10_000) }).strict(), z.object({})),
  /** Updates main holds that the renderer has not acknowledged (after a reload or restart). */
  'messages.pending': method(z.object({}).strict(), z.array(Message)),
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
  error: z.string().optional()
})
export type HistoryState = z.infer<typeof HistoryState>

export const chatEvents = {
  /** New or changed messages (received, sent, or a status change), in journal order; ack with messages.ack. */
  'messages.upserted': z.object({ messages: z.array(Message) }),
  'chats.changed': z.object({ chats: z.array(Chat) }),
  'history.state': HistoryState
}
