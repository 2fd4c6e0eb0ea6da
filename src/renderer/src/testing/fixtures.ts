import type { Author, Chat, Message } from '../../../shared/api'

/** Builders for renderer tests: valid contract objects with only the fields a test cares about spelled out. */
export function author(n: number): Author {
  return {
    publicKey: `0x04${n.toString(16).padStart(2, '0').repeat(64)}`,
    alias: `Person ${n}`,
    identicon: { cells: Array.from({ length: 25 }, (_, i) => (i + n) % 3 === 0), color: { r: 10 * n, g: 100, b: 200 } }
  }
}

export function message(fields: Partial<Message> & { clock: number }): Message {
  const chatId = fields.chatId ?? 'hush-test'
  return {
    id: `0x${chatId}-${fields.clock}`,
    chatId,
    chatKind: 'public',
    author: author(1),
    outgoing: false,
    text: `message ${fields.clock}`,
    timestamp: 1_700_000_000_000 + fields.clock * 1000,
    receivedAt: 1_700_000_000_000 + fields.clock * 1000,
    status: 'received',
    ...fields
  }
}

export function publicChat(name: string, lastActivity = 1_600_000_000_000): Chat {
  return { id: name, kind: 'public', name, joinedAt: lastActivity, lastActivity, unread: 0, lastReadClock: 0 }
}
