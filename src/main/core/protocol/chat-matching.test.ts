import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { chatKeyId, type KnownChat, matchChat } from './chat-matching'
import { ChatMessage_MessageType as MessageType } from './gen/protobuf/chat_message_pb'

const me = secp256k1.getPublicKey(hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e'), false)
const them = secp256k1.getPublicKey(hexToBytes('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509'), false)
const stranger = secp256k1.getPublicKey(hexToBytes('01'.repeat(32)), false)

const groupId = '0f6a1c2e-aaaa-4bbb-8ccc-000000000000-' + chatKeyId(them)
const chats = new Map<string, KnownChat>([
  ['status', { kind: 'public', active: true }],
  ['left', { kind: 'public', active: false }],
  [chatKeyId(them), { kind: 'one-to-one' }],
  [groupId, { kind: 'group', joinedMembers: new Set([chatKeyId(me), chatKeyId(them)]) }],
  ['invited-only', { kind: 'group', joinedMembers: new Set([chatKeyId(them)]) }]
])
const context = { ownKey: me, findChat: (id: string) => chats.get(id) }

describe('matchChat (§3.8)', () => {
  it('public: files under chat_id when joined', () => {
    expect(matchChat({ messageType: MessageType.PUBLIC_GROUP, chatId: 'status' }, them, context)).toEqual({
      ok: true,
      chatId: 'status',
      createOneToOne: false
    })
  })

  it('public: drops messages for chats we have not joined or have left', () => {
    for (const chatId of ['nope', 'left']) {
      expect(matchChat({ messageType: MessageType.PUBLIC_GROUP, chatId }, them, context)).toEqual({
        ok: false,
        reason: 'PUBLIC_CHAT_NOT_JOINED'
      })
    }
  })

  it('1:1 from someone else: files under the author and ignores chat_id', () => {
    const forged = { messageType: MessageType.ONE_TO_ONE, chatId: 'status' }
    expect(matchChat(forged, them, context)).toEqual({ ok: true, chatId: chatKeyId(them), createOneToOne: false })
    expect(matchChat(forged, stranger, context)).toEqual({ ok: true, chatId: chatKeyId(stranger), createOneToOne: true })
  })

  it('1:1 from our own other device: files under the recipient in chat_id', () => {
    const message = { messageType: MessageType.ONE_TO_ONE, chatId: chatKeyId(stranger) }
    expect(matchChat(message, me, context)).toEqual({ ok: true, chatId: chatKeyId(stranger), createOneToOne: true })
  })

  it('1:1 from our own device with a chat_id that is not a key is dropped', () => {
    for (const chatId of ['status', '0x04' + '00'.repeat(64), chatKeyId(them).toUpperCase()]) {
      expect(matchChat({ messageType: MessageType.ONE_TO_ONE, chatId }, me, context)).toEqual({
        ok: false,
        reason: 'RECIPIENT_KEY_INVALID'
      })
    }
  })

  it('group: accepted only when both the author and we have joined', () => {
    expect(matchChat({ messageType: MessageType.PRIVATE_GROUP, chatId: groupId }, them, context)).toEqual({
      ok: true,
      chatId: groupId,
      createOneToOne: false
    })
    expect(matchChat({ messageType: MessageType.PRIVATE_GROUP, chatId: groupId }, stranger, context)).toEqual({
      ok: false,
      reason: 'GROUP_MEMBERSHIP_NOT_JOINED'
    })
    expect(matchChat({ messageType: MessageType.PRIVATE_GROUP, chatId: 'invited-only' }, them, context)).toEqual({
      ok: false,
      reason: 'GROUP_MEMBERSHIP_NOT_JOINED'
    })
  })

  it('group: unknown or non-group chat ids are dropped', () => {
    for (const chatId of ['missing', 'status']) {
      expect(matchChat({ messageType: MessageType.PRIVATE_GROUP, chatId }, them, context)).toEqual({
        ok: false,
        reason: 'GROUP_CHAT_UNKNOWN'
      })
    }
  })

  it('other message types match nothing', () => {
    expect(matchChat({ messageType: MessageType.SYSTEM_MESSAGE_PRIVATE_GROUP, chatId: groupId }, them, context)).toEqual({
      ok: false,
      reason: 'MESSAGE_TYPE_UNMATCHED'
    })
  })
})
