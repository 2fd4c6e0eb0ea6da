import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../primitives/keccak'
import { BatchSyncNode } from './datasync/batch-node'
import { decodeSyncPayload, oneToOneGroupId } from './datasync/payload'
import { ChatMessage_ContentType, ChatMessage_MessageType, ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import { readInbound } from './inbound'
import { DropCounter } from './validation'
import { MessageKind, wrapMessage } from './wrapper'

// Mirrors status-go's message_processor_test: the app-layer signer is the author
// and the id is keccak256(author ‖ wrapper), whether or not MVDS carries it.
const authorKey = hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e')
const author = secp256k1.getPublicKey(authorKey, false)
const recipient = secp256k1.getPublicKey(hexToBytes('d51dd64ad19ea84968a308dca246012c00d2b2101d41bce740acd1c650acc509'), false)
const transportSigner = secp256k1.getPublicKey(hexToBytes('01'.repeat(32)), false)
const whisperTimestampMs = 1_545_930_773_682

function wrapped(): Uint8Array {
  const chat = create(ChatMessageSchema, {
    clock: 1_545_930_773_682n,
    timestamp: 1_545_930_773_682n,
    text: 'abc123',
    chatId: '0x' + bytesToHex(recipient),
    messageType: ChatMessage_MessageType.ONE_TO_ONE,
    contentType: ChatMessage_ContentType.TEXT_PLAIN
  })
  return wrapMessage(toBinary(ChatMessageSchema, chat), MessageKind.CHAT_MESSAGE, authorKey)
}

describe('receive layering', () => {
  it('a bare wrapped message: author is the app-layer signer, id over the received bytes', () => {
    const raw = wrapped()
    const result = readInbound(raw, { transportSigner, whisperTimestampMs, nowMs: whisperTimestampMs }, new DropCounter())
    if (!result.ok) throw new Error(result.reason)
    expect(bytesToHex(result.envelope.author)).toBe(bytesToHex(author))
    expect(result.envelope.id).toBe('0x' + bytesToHex(keccak256(concatBytes(author, raw))))
  })

  it('the same message inside an MVDS payload gets the same author and id', () => {
    const raw = wrapped()
    const sender = new BatchSyncNode({ now: () => whisperTimestampMs })
    sender.send(oneToOneGroupId(author, recipient), [recipient], raw)
    const plaintext = sender.tick().payloads[0]!.payload

    // A bare wrapper is not mistaken for MVDS, and an MVDS payload is found.
    expect(decodeSyncPayload(raw)).toBeNull()
    const sync = decodeSyncPayload(plaintext)
    if (!sync) throw new Error('expected MVDS')

    const receiver = new BatchSyncNode({ now: () => whisperTimestampMs })
    const [event] = receiver.receive(author, sync)
    if (event?.type !== 'received') throw new Error('expected a received message')
    const result = readInbound(
      event.message.body,
      { transportSigner, whisperTimestampMs, nowMs: whisperTimestampMs },
      new DropCounter()
    )
    if (!result.ok) throw new Error(result.reason)
    expect(bytesToHex(result.envelope.author)).toBe(bytesToHex(author))
    expect(result.envelope.id).toBe('0x' + bytesToHex(keccak256(concatBytes(author, raw))))
  })

  it('tolerates fields and enum values from later protocol versions', () => {
    // ChatMessage with content_type 7 (IMAGE, added after v0.52) and an image in field 10.
    const base = toBinary(
      ChatMessageSchema,
      create(ChatMessageSchema, {
        clock: 1n,
        timestamp: 2n,
        text: 'Update to latest version to see a nice image here!',
        chatId: 'status',
        messageType: ChatMessage_MessageType.PUBLIC_GROUP
      })
    )
    const later = concatBytes(base, hexToBytes('400752030a0101'))
    const raw = wrapMessage(later, MessageKind.CHAT_MESSAGE, authorKey)
    const result = readInbound(raw, { whisperTimestampMs: 2, nowMs: 2 }, new DropCounter())
    if (!result.ok) throw new Error(result.reason)
    if (result.payload.kind !== MessageKind.CHAT_MESSAGE) throw new Error('expected a chat message')
    expect(result.payload.message.contentType).toBe(7)
  })
})
