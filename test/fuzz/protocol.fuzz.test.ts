import assert from 'node:assert/strict'
import { create, toBinary } from '@bufbuild/protobuf'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import * as fc from 'fast-check'
import { describe, it } from 'vitest'
import { BatchSyncNode } from '../../src/main/core/protocol/datasync/batch-node'
import { decodeSyncPayload, encodeSyncPayload } from '../../src/main/core/protocol/datasync/payload'
import { ApplicationMetadataMessageSchema } from '../../src/main/core/protocol/gen/protobuf/application_metadata_message_pb'
import { ChatMessageSchema } from '../../src/main/core/protocol/gen/protobuf/chat_message_pb'
import { MembershipUpdateMessageSchema } from '../../src/main/core/protocol/gen/protobuf/membership_update_message_pb'
import { GroupEventError, decodeGroupEvent, signGroupEvent, verifyGroupEvent, type GroupEventType } from '../../src/main/core/protocol/group-events'
import { readInbound } from '../../src/main/core/protocol/inbound'
import { DropCounter } from '../../src/main/core/protocol/validation'
import { MessageKind, WrapperError, unwrapMessage, wrapMessage } from '../../src/main/core/protocol/wrapper'
import { assertProperty, mutated, onlyThrows, protobufWire } from './harness'

const AUTHOR = secp256k1.utils.randomSecretKey()
const AUTHOR_KEY = secp256k1.getPublicKey(AUTHOR, false)
const SIGNER = secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false)
const NOW = 1_700_000_000_000
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

const int64 = fc.oneof(fc.constantFrom(0n, 1n, -1n, BigInt(NOW), (1n << 63n) - 1n, -(1n << 63n)), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }))
const uint64 = fc.oneof(fc.constantFrom(0n, 1n, BigInt(NOW), (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }))
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 40 }))
const chatMessageFields = fc.record({
    clock: uint64,
    timestamp: uint64,
    text,
    responseTo: text,
    ensName: text,
    chatId: text,
    messageType: fc.integer({ min: -1, max: 8 }),
    contentType: fc.integer({ min: -1, max: 12 })
  })
const chatMessage = chatMessageFields.map((fields) => toBinary(ChatMessageSchema, create(ChatMessageSchema, fields)))
/** Group updates: signed events (valid or not), forged 65-byte signatures, and an optional embedded message. */
const membershipUpdate = fc
  .record(
    {
      chatId: text,
      events: fc.array(
        fc.oneof(
          fc
            .record({ clock: uint64, members: fc.array(text, { maxLength: 3 }), name: text, type: fc.integer({ min: -1, max: 9 }) })
            .map((event) => signGroupEvent('chat', { ...event, type: event.type as GroupEventType }, AUTHOR).raw),
          fc.uint8Array({ minLength: 60, maxLength: 120 })
        ),
        { maxLength: 3 }
      ),
      message: chatMessageFields
    },
    { requiredKeys: ['chatId', 'events'] }
  )
  .map((fields) => toBinary(MembershipUpdateMessageSchema, create(MembershipUpdateMessageSchema, fields)))
/** Any application payload: a plausible ChatMessage, or protobuf bytes of any shape. */
const payload = fc.oneof(chatMessage, mutated(chatMessage), protobufWire([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]))
const kind = fc.integer({ min: 0, max: 16 }) as fc.Arbitrary<MessageKind>
const unsignedWrapper = fc
  .tuple(payload, kind, fc.uint8Array({ maxLength: 3 }))
  .map(([p, type, signature]) => toBinary(ApplicationMetadataMessageSchema, create(ApplicationMetadataMessageSchema, { payload: p, type, signature })))

describe('wrapper and readInbound', () => {
  it('unwrap what they wrap, with the author recovered', () => {
    assertProperty('wrapper round trip', 60, fc.property(payload, kind, (p, type) => {
      const message = unwrapMessage(wrapMessage(p, type, AUTHOR))
      assert.equal(hex(message.author), hex(AUTHOR_KEY))
      assert.equal(hex(message.payload), hex(p))
      assert.equal(message.type, type)
    }))
  })

  it('unwrap throws only WrapperError on any bytes', () => {
    assertProperty('wrapper decode', 1500, fc.property(fc.oneof(mutated(unsignedWrapper), protobufWire([1, 2, 3])), fc.boolean(), (raw, withSigner) => {
      onlyThrows(() => unwrapMessage(raw, withSigner ? SIGNER : null), WrapperError)
    }))
  })

  it('readInbound never throws: every input is a typed payload or a counted drop', () => {
    assertProperty('readInbound', 1200, fc.property(fc.oneof(unsignedWrapper, mutated(unsignedWrapper)), int64, (raw, skew) => {
      const drops = new DropCounter()
      const result = readInbound(raw, { transportSigner: SIGNER, whisperTimestampMs: NOW, nowMs: Number(BigInt(NOW) + (skew % 10_000_000n)) }, drops)
      // A group update whose embedded chat message is refused still applies its events: one drop, for the message.
      const embeddedDrop = result.ok && result.payload.kind === MessageKind.MEMBERSHIP_UPDATE_MESSAGE && result.payload.chatMessageDrop !== null
      assert.equal(drops.total, result.ok && !embeddedDrop ? 0 : 1)
    }))
    const groupWrapper = fc
      .tuple(membershipUpdate, fc.constantFrom(MessageKind.MEMBERSHIP_UPDATE_MESSAGE, MessageKind.CHAT_MESSAGE))
      .map(([p, type]) => toBinary(ApplicationMetadataMessageSchema, create(ApplicationMetadataMessageSchema, { payload: p, type })))
    assertProperty('readInbound group update', 100, fc.property(groupWrapper, int64, (raw, skew) => {
      readInbound(raw, { transportSigner: SIGNER, whisperTimestampMs: NOW, nowMs: Number(BigInt(NOW) + (skew % 10_000_000n)) }, new DropCounter())
    }))
    // Signed wrappers reach the same code after a public key recovery; fewer of them.
    assertProperty('readInbound signed', 50, fc.property(payload, kind, (p, type) => {
      readInbound(wrapMessage(p, type, AUTHOR), { whisperTimestampMs: NOW, nowMs: NOW }, new DropCounter())
    }))
  })
})

describe('group events', () => {
  it('decode and verify what they sign, and throw only GroupEventError on anything else', () => {
    // Type 0 is no event at all (and, with every other field empty, encodes to nothing).
    const member = fc.constantFrom(`0x${hex(AUTHOR_KEY)}`, `0x${hex(SIGNER)}`)
    const event = fc.record({ clock: uint64, members: fc.array(member, { maxLength: 3 }), name: text, type: fc.integer({ min: 1, max: 9 }) })
    assertProperty('group event round trip', 60, fc.property(event, (fields) => {
      const signed = signGroupEvent('chat', { ...fields, type: fields.type as GroupEventType }, AUTHOR)
      const verified = verifyGroupEvent('chat', decodeGroupEvent(signed.raw))
      assert.equal(verified.author, signed.author)
      assert.equal(verified.clock, fields.clock)
    }))
    const raw = fc.oneof(
      mutated(event.map((fields) => signGroupEvent('chat', { ...fields, type: fields.type as GroupEventType }, AUTHOR).raw)),
      fc.tuple(fc.uint8Array({ minLength: 65, maxLength: 65 }), protobufWire([1, 2, 3, 4])).map(([signature, body]) => Uint8Array.from([...signature, ...body]))
    )
    assertProperty('group event decode', 150, fc.property(raw, (bytes) => {
      onlyThrows(() => verifyGroupEvent('chat', decodeGroupEvent(bytes)), GroupEventError)
    }))
  })
})

const id = fc.uint8Array({ minLength: 32, maxLength: 32 })
const syncMessage = fc.record({ groupId: fc.uint8Array({ maxLength: 32 }), timestamp: int64, body: fc.uint8Array({ maxLength: 100 }) })
const syncPayload = fc.record(
  { acks: fc.array(id, { maxLength: 3 }), offers: fc.array(id, { maxLength: 3 }), requests: fc.array(id, { maxLength: 3 }), messages: fc.array(syncMessage, { maxLength: 3 }) },
  { requiredKeys: [] }
)

describe('MVDS payloads', () => {
  it('decode what they encode', () => {
    assertProperty('mvds round trip', 500, fc.property(syncPayload, (p) => {
      const decoded = decodeSyncPayload(encodeSyncPayload(p))
      const count = (p.acks?.length ?? 0) + (p.offers?.length ?? 0) + (p.requests?.length ?? 0) + (p.messages?.length ?? 0)
      if (count === 0) {
        assert.equal(decoded, null)
        return
      }
      assert.deepEqual(decoded?.acks.map(hex), (p.acks ?? []).map(hex))
      assert.deepEqual(decoded?.messages.map((m) => [hex(m.groupId), m.timestamp, hex(m.body)]), (p.messages ?? []).map((m) => [hex(m.groupId), m.timestamp, hex(m.body)]))
    }))
  })

  it('decoding never throws, and the batch node takes any decoded payload', () => {
    const bytes = fc.oneof(mutated(syncPayload.map(encodeSyncPayload)), protobufWire([5001, 5002, 5003, 5004, 1, 2, 3]))
    assertProperty('mvds decode', 1000, fc.property(fc.array(bytes, { minLength: 1, maxLength: 4 }), (inputs) => {
      const node = new BatchSyncNode({ now: () => NOW })
      for (const input of inputs) {
        const decoded = decodeSyncPayload(input)
        if (decoded) node.receive(SIGNER, decoded)
      }
      node.tick()
    }))
  })
})
