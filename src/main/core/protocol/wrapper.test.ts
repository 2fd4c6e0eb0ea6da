import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../primitives/keccak'
import { ApplicationMetadataMessageSchema } from './gen/protobuf/application_metadata_message_pb'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import { messageId } from './message-id'
import { isSignedBy, MessageKind, unwrapMessage, wrapMessage, WrapperError } from './wrapper'

const authorKey = hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e')
const authorPub = secp256k1.getPublicKey(authorKey, false)
const otherKey = hexToBytes('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509')

// The message of status-go's message_processor_test (spec §3.4).
const CHAT_MESSAGE_HEX =
  '0889abd88ba0932310b2a99e85ff2c1a06616263313233320d74657374696e672d6164616d6238024001'

function testChatMessageBytes(): Uint8Array {
  return toBinary(
    ChatMessageSchema,
    create(ChatMessageSchema, {
      clock: 154593077368201n,
      timestamp: 1545930773682n,
      text: 'abc123',
      chatId: 'testing-adamb',
      messageType: ChatMessage_MessageType.PUBLIC_GROUP,
      contentType: ChatMessage_ContentType.TEXT_PLAIN
    })
  )
}

describe('ChatMessage encoding (spec §3.4)', () => {
  it('reproduces the status-go test message bytes exactly', () => {
    expect(bytesToHex(testChatMessageBytes())).toBe(CHAT_MESSAGE_HEX)
  })

  it('encodes the unsigned wrapper as payload field then type', () => {
    const unsigned = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { payload: testChatMessageBytes(), type: MessageKind.CHAT_MESSAGE })
    )
    expect(bytesToHex(unsigned)).toBe('122a' + CHAT_MESSAGE_HEX + '1801')
  })

  it('signs the keccak256 digest the spec gives', () => {
    expect(bytesToHex(keccak256(testChatMessageBytes()))).toBe(
      '9db1f87677be4dc964d20c622a0608f226425a0552d140e086aedb7768f8f57c'
    )
  })
})

describe('wrapMessage / unwrapMessage', () => {
  it('round-trips and recovers the author from the app-layer signature', () => {
    const raw = wrapMessage(testChatMessageBytes(), MessageKind.CHAT_MESSAGE, authorKey)
    const otherPub = secp256k1.getPublicKey(otherKey, false)
    // A different transport signer must not override the app-layer author.
    const message = unwrapMessage(raw, otherPub)
    expect(message.type).toBe(MessageKind.CHAT_MESSAGE)
    expect(bytesToHex(message.payload)).toBe(CHAT_MESSAGE_HEX)
    expect(message.signature.length).toBe(65)
    expect([0, 1]).toContain(message.signature[64])
    expect(bytesToHex(message.author)).toBe(bytesToHex(authorPub))
    expect(message.raw).toBe(raw)
    expect(message.id).toBe('0x' + bytesToHex(keccak256(concatBytes(authorPub, raw))))
  })

  it('produces a signature verifiable over keccak256(payload)', () => {
    const raw = wrapMessage(testChatMessageBytes(), MessageKind.CHAT_MESSAGE, authorKey)
    const { signature } = unwrapMessage(raw)
    const digest = hexToBytes('9db1f87677be4dc964d20c622a0608f226425a0552d140e086aedb7768f8f57c')
    expect(secp256k1.verify(signature.subarray(0, 64), digest, authorPub, { prehash: false })).toBe(true)
  })

  it('falls back to the transport signer when there is no app-layer signature', () => {
    const raw = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { payload: testChatMessageBytes(), type: MessageKind.CHAT_MESSAGE })
    )
    expect(bytesToHex(unwrapMessage(raw, authorPub).author)).toBe(bytesToHex(authorPub))
    expect(() => unwrapMessage(raw)).toThrow(expect.objectContaining({ code: 'NO_AUTHOR' }))
  })

  it('accepts legacy V = 27/28', () => {
    const raw = wrapMessage(testChatMessageBytes(), MessageKind.CHAT_MESSAGE, authorKey)
    const { signature, payload } = unwrapMessage(raw)
    const legacy = signature.slice()
    legacy[64] = legacy[64]! + 27
    const rewrapped = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { signature: legacy, payload, type: MessageKind.CHAT_MESSAGE })
    )
    expect(isSignedBy(rewrapped, authorPub)).toBe(true)
  })
})

describe('tampering', () => {
  const raw = wrapMessage(testChatMessageBytes(), MessageKind.CHAT_MESSAGE, authorKey)

  it('a tampered payload no longer verifies as the author', () => {
    expect(isSignedBy(raw, authorPub)).toBe(true)
    const tampered = raw.slice()
    // Last payload byte (content_type value), well inside the wrapper.
    const at = raw.length - 3
    tampered[at] = tampered[at]! ^ 0x02
    expect(isSignedBy(tampered, authorPub)).toBe(false)
  })

  it('a tampered signature no longer verifies as the author', () => {
    const tampered = raw.slice()
    tampered[5] = tampered[5]! ^ 0x01 // inside R
    expect(isSignedBy(tampered, authorPub)).toBe(false)
  })

  it('rejects a signature with an impossible recovery id', () => {
    const { signature, payload } = unwrapMessage(raw)
    const bad = signature.slice()
    bad[64] = 7
    const rewrapped = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { signature: bad, payload, type: MessageKind.CHAT_MESSAGE })
    )
    expect(() => unwrapMessage(rewrapped)).toThrow(WrapperError)
    expect(() => unwrapMessage(rewrapped)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }))
  })

  it('rejects a signature of the wrong length and an all-zero signature', () => {
    for (const signature of [new Uint8Array(64), new Uint8Array(65)]) {
      const rewrapped = toBinary(
        ApplicationMetadataMessageSchema,
        create(ApplicationMetadataMessageSchema, { signature, payload: utf8ToBytes('x'), type: MessageKind.CHAT_MESSAGE })
      )
      expect(() => unwrapMessage(rewrapped)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }))
    }
  })

  it('rejects malformed bytes with a typed error', () => {
    expect(() => unwrapMessage(hexToBytes('0aff'))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })

  it('keeps unknown fields and the received bytes for the id', () => {
    // Field 99 (varint 1) appended by a hypothetical newer peer.
    const extended = concatBytes(raw, hexToBytes('980601'))
    const message = unwrapMessage(extended)
    expect(bytesToHex(message.author)).toBe(bytesToHex(authorPub))
    expect(message.id).toBe(messageId(authorPub, extended))
    expect(message.id).not.toBe(messageId(authorPub, raw))
  })
})

describe('messageId', () => {
  it('is keccak256(65-byte author key ‖ data), as status-go v1/message_test', () => {
    const data = utf8ToBytes('test')
    expect(messageId(authorPub, data)).toBe('0x' + bytesToHex(keccak256(concatBytes(authorPub, data))))
  })

  it('refuses a compressed key', () => {
    expect(() => messageId(secp256k1.getPublicKey(authorKey, true), new Uint8Array())).toThrow(RangeError)
  })
})
