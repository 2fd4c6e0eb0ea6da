import { hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { type Chat, ChatKind, PUBLIC_KEY_PATTERN } from '../../../shared/api'
import { nextClockAndTimestamp, observeClock, type ClockAndTimestamp } from '../protocol/clock'
import type { KnownChat } from '../protocol/chat-matching'
import type { EncryptedStore } from '../storage/encrypted-store'
import { iterateParsed, type OnUnreadable } from '../storage/parsed-records'
import { publicIdentityOfKey } from './identities'
import { CHAT_PREFIX, Count, DecimalClock, type RecordKeys } from './records'
import type { Transaction } from './transaction'

/** A joined chat as stored: public chats by name, 1:1 chats by the other person's "0x04…" key. */
export interface ChatRecord {
  id: string
  kind: ChatKind
  joinedAt: number
  /** Lamport clock (decimal string: it outgrows JSON numbers in theory, not in practice). */
  lastClock: string
}

const ChatRecordSchema: z.ZodType<ChatRecord> = z
  .object({ id: z.string().min(1).max(300), kind: ChatKind, joinedAt: Count, lastClock: DecimalClock })
  .refine((chat) => chat.kind === 'public' || PUBLIC_KEY_PATTERN.test(chat.id), 'a 1:1 chat is named by a chat key')

/** The account's joined chats, loaded once and kept in memory; every change goes through a Transaction. */
export class ChatList {
  private constructor(
    private readonly chats: Map<string, ChatRecord>,
    private readonly keys: RecordKeys
  ) {}

  static async load(store: EncryptedStore, keys: RecordKeys, onUnreadable: OnUnreadable): Promise<ChatList> {
    const chats = new Map<string, ChatRecord>()
    for await (const [, record] of iterateParsed(store, CHAT_PREFIX, ChatRecordSchema, onUnreadable)) chats.set(record.id, record)
    return new ChatList(chats, keys)
  }

  get(id: string): ChatRecord | undefined {
    return this.chats.get(id)
  }

  all(): ChatRecord[] {
    return [...this.chats.values()].sort((a, b) => a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1))
  }

  /** What protocol/chat-matching needs to place a received message. */
  known(id: string): KnownChat | undefined {
    const chat = this.chats.get(id)
    if (!chat) return undefined
    return chat.kind === 'public' ? { kind: 'public', active: true } : { kind: 'one-to-one' }
  }

  add(tx: Transaction, record: ChatRecord): void {
    this.chats.set(record.id, record)
    tx.putJson(this.keys.chat(record.id), record)
  }

  remove(tx: Transaction, id: string): void {
    this.chats.delete(id)
    tx.del(this.keys.chat(id))
  }

  /** Clock and timestamp for a message we send now in `id`; the chat's clock advances. */
  nextClock(tx: Transaction, id: string, nowMs: number): ClockAndTimestamp {
    const chat = this.require(id)
    const stamp = nextClockAndTimestamp(BigInt(chat.lastClock), nowMs)
    this.add(tx, { ...chat, lastClock: stamp.clock.toString() })
    return stamp
  }

  observe(tx: Transaction, id: string, clock: bigint): void {
    const chat = this.require(id)
    const next = observeClock(BigInt(chat.lastClock), clock)
    if (next.toString() !== chat.lastClock) this.add(tx, { ...chat, lastClock: next.toString() })
  }

  private require(id: string): ChatRecord {
    const chat = this.chats.get(id)
    if (!chat) throw new Error(`chat ${id} is not joined`)
    return chat
  }
}

/** The API's view of a chat: 1:1 chats are named by the contact's three-word alias. */
export function toApiChat(record: ChatRecord): Chat {
  if (record.kind === 'public') return { id: record.id, kind: 'public', name: record.id, joinedAt: record.joinedAt }
  const contact = publicIdentityOfKey(hexToBytes(record.id.slice(2)))
  return { id: record.id, kind: 'one-to-one', name: contact.alias, contact, joinedAt: record.joinedAt }
}
