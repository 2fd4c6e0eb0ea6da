import { create, toBinary } from '@bufbuild/protobuf'
import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { decodeProto } from './decode'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from './gen/protobuf/chat_message_pb'

// A public-chat ChatMessage as status-go v0.52.3 encodes it (../shared/spec/status-go-vectors.json, messages[0]).
const STATUS_GO_CHAT_MESSAGE = '0880a3a5dc992e1080a3a5dc992e1a1c68656c6c6f2066726f6d207374617475732d676f2076302e35322e333209687573682d7465737438024001'

describe('ChatMessage hush_display_name (field 1001)', () => {
  it('round-trips the chosen name beside every status-go field', () => {
    const sent = create(ChatMessageSchema, {
      clock: 5n,
      timestamp: 6n,
      text: 'hi',
      chatId: 'hush-test',
      messageType: ChatMessage_MessageType.PUBLIC_GROUP,
      contentType: ChatMessage_ContentType.TEXT_PLAIN,
      hushDisplayName: 'Bób 🦊'
    })
    const bytes = toBinary(ChatMessageSchema, sent)
    // Field 1001, wire type 2: tag varint 0xca 0x3e, after every field status-go knows.
    expect(Buffer.from(bytes).toString('hex')).toContain('ca3e')
    expect(decodeProto(ChatMessageSchema, bytes)).toMatchObject({ text: 'hi', chatId: 'hush-test', hushDisplayName: 'Bób 🦊' })
  })

  it('decodes a status-go message without it as one without a name, and leaves its bytes as they were', () => {
    const bytes = hexToBytes(STATUS_GO_CHAT_MESSAGE)
    const decoded = decodeProto(ChatMessageSchema, bytes)
    expect(decoded).toMatchObject({ text: 'hello from status-go v0.52.3', chatId: 'hush-test', hushDisplayName: '' })
    expect(Buffer.from(toBinary(ChatMessageSchema, decoded)).toString('hex')).toBe(STATUS_GO_CHAT_MESSAGE)
  })

  it('leaves a message without a name byte-identical to what status-go sends', () => {
    const decoded = decodeProto(ChatMessageSchema, hexToBytes(STATUS_GO_CHAT_MESSAGE))
    const rebuilt = create(ChatMessageSchema, { ...decoded, hushDisplayName: '' })
    expect(Buffer.from(toBinary(ChatMessageSchema, rebuilt)).toString('hex')).toBe(STATUS_GO_CHAT_MESSAGE)
  })
})
