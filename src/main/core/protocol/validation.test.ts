import { create, type DescMessage, type MessageInitShape, toBinary } from '@bufbuild/protobuf'
import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { ApplicationMetadataMessageSchema } from './gen/protobuf/application_metadata_message_pb'
import { ChatMessage_ContentType as ContentType, ChatMessage_MessageType as MessageType, ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import {
  AcceptRequestAddressForTransactionSchema,
  DeclineRequestAddressForTransactionSchema,
  DeclineRequestTransactionSchema,
  RequestAddressForTransactionSchema,
  RequestTransactionSchema,
  SendTransactionSchema
} from './gen/protobuf/command_pb'
import { ContactUpdateSchema } from './gen/protobuf/contact_pb'
import { MembershipUpdateMessageSchema } from './gen/protobuf/membership_update_message_pb'
import { PairInstallationSchema, SyncInstallationContactSchema } from './gen/protobuf/pairing_pb'
import { readInbound } from './inbound'
import { GroupEventType, signGroupEvent } from './group-events'
import {
  DROP_REASONS,
  DropCounter,
  type DropReason,
  MAX_BYTES_LENGTH,
  MAX_LIST_LENGTH,
  MAX_PROFILE_IMAGE_LENGTH,
  MAX_STRING_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TIMESTAMP_AGE_MS,
  parsesAsGoFloat
} from './validation'
import { MessageKind, wrapMessage } from './wrapper'

const key = hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e')
// Values from status-go's message_validator_test: clock 1, timestamp 2, whisper timestamp 2.
const WHISPER_MS = 2
const context = { whisperTimestampMs: WHISPER_MS, nowMs: 1_000_000 }

function wrap<D extends DescMessage>(schema: D, init: MessageInitShape<D>, kind: MessageKind): Uint8Array {
  return wrapMessage(toBinary(schema, create(schema, init)), kind, key)
}

const validChat: MessageInitShape<typeof ChatMessageSchema> = {
  clock: 1n,
  timestamp: 2n,
  text: 'some-text',
  chatId: 'chat-id',
  messageType: MessageType.ONE_TO_ONE,
  contentType: ContentType.TEXT_PLAIN
}

function expectDropped(raw: Uint8Array, reason: DropReason, ctx = context): void {
  const drops = new DropCounter()
  const result = readInbound(raw, ctx, drops)
  expect(result).toEqual({ ok: false, reason })
  expect(drops.count(reason)).toBe(1)
  expect(drops.total).toBe(1)
}

function expectAccepted(raw: Uint8Array, ctx = context): void {
  const drops = new DropCounter()
  expect(readInbound(raw, ctx, drops).ok).toBe(true)
  expect(drops.total).toBe(0)
}

describe('ChatMessage rules (§3.7)', () => {
  it('accepts the valid message of status-go’s test', () => {
    expectAccepted(wrap(ChatMessageSchema, validChat, MessageKind.CHAT_MESSAGE))
  })

  it('accepts a clock exactly at the drift limit', () => {
    expectAccepted(wrap(ChatMessageSchema, { ...validChat, clock: 120_002n }, MessageKind.CHAT_MESSAGE))
  })

  it('accepts a clock far below the whisper timestamp (status-go only checks the future)', () => {
    expectAccepted(wrap(ChatMessageSchema, { ...validChat, clock: 1n }, MessageKind.CHAT_MESSAGE), {
      ...context,
      whisperTimestampMs: 10_000_000
    })
  })

  it('accepts a sticker with a hash', () => {
    expectAccepted(
      wrap(
        ChatMessageSchema,
        { ...validChat, contentType: ContentType.STICKER, payload: { case: 'sticker', value: { hash: 'abc', pack: 1 } } },
        MessageKind.CHAT_MESSAGE
      )
    )
  })

  const violations: Array<[DropReason, MessageInitShape<typeof ChatMessageSchema>]> = [
    ['CLOCK_ZERO', { ...validChat, clock: 0n }],
    ['CLOCK_TOO_HIGH', { ...validChat, clock: 133_000n }],
    ['TIMESTAMP_ZERO', { ...validChat, timestamp: 0n }],
    ['TEXT_BLANK', { ...validChat, text: '  \n\t ' }],
    ['CHAT_ID_EMPTY', { ...validChat, chatId: '' }],
    ['CONTENT_TYPE_UNKNOWN', { ...validChat, contentType: ContentType.UNKNOWN_CONTENT_TYPE }],
    ['CONTENT_TYPE_TRANSACTION_COMMAND', { ...validChat, contentType: ContentType.TRANSACTION_COMMAND }],
    ['MESSAGE_TYPE_UNKNOWN', { ...validChat, messageType: MessageType.UNKNOWN_MESSAGE_TYPE }],
    ['MESSAGE_TYPE_SYSTEM', { ...validChat, messageType: MessageType.SYSTEM_MESSAGE_PRIVATE_GROUP }],
    ['STICKER_MISSING', { ...validChat, contentType: ContentType.STICKER }],
    [
      'STICKER_HASH_EMPTY',
      { ...validChat, contentType: ContentType.STICKER, payload: { case: 'sticker', value: { hash: '', pack: 1 } } }
    ]
  ]
  for (const [reason, init] of violations) {
    it(`drops with ${reason}`, () => {
      expectDropped(wrap(ChatMessageSchema, init, MessageKind.CHAT_MESSAGE), reason)
    })
  }
})

describe('time window around now and field bounds (hostile senders)', () => {
  // A sender on time: envelope, clock and timestamp all at `now`.
  const NOW = 1_764_900_000_000
  const onTime = { whisperTimestampMs: NOW, nowMs: NOW }
  const fresh = { ...validChat, clock: BigInt(NOW), timestamp: BigInt(NOW) }
  const chat = (init: MessageInitShape<typeof ChatMessageSchema>) => wrap(ChatMessageSchema, init, MessageKind.CHAT_MESSAGE)

  it('accepts a message on time, and text, chat id and reply id at their caps', () => {
    expectAccepted(chat(fresh), onTime)
    expectAccepted(chat({ ...fresh, text: 'x'.repeat(MAX_TEXT_LENGTH), chatId: 'c'.repeat(MAX_STRING_LENGTH), responseTo: `0x${'a'.repeat(64)}` }), onTime)
  })

  it('drops a timestamp of 2^63−1, which no date can show', () => {
    expectDropped(chat({ ...fresh, timestamp: 2n ** 63n - 1n }), 'TIMESTAMP_OUT_OF_RANGE', onTime)
    expectDropped(chat({ ...fresh, timestamp: 2n ** 64n - 1n }), 'TIMESTAMP_OUT_OF_RANGE', onTime)
  })

  it('keeps timestamps within the drift ahead and a decade behind, and drops what lies beyond', () => {
    expectAccepted(chat({ ...fresh, timestamp: BigInt(NOW) + 120_000n }), onTime)
    expectDropped(chat({ ...fresh, timestamp: BigInt(NOW) + 120_001n }), 'TIMESTAMP_OUT_OF_RANGE', onTime)
    expectAccepted(chat({ ...fresh, timestamp: BigInt(NOW) - MAX_TIMESTAMP_AGE_MS }), onTime)
    expectDropped(chat({ ...fresh, timestamp: BigInt(NOW) - MAX_TIMESTAMP_AGE_MS - 1n }), 'TIMESTAMP_OUT_OF_RANGE', onTime)
  })

  it('drops a clock far ahead of local time even when the envelope claims a matching far-future time', () => {
    const future = { whisperTimestampMs: 4_294_967_295_000, nowMs: NOW }
    expectDropped(chat({ ...fresh, clock: 4_294_967_295_000n }), 'CLOCK_AHEAD_OF_NOW', future)
  })

  it('drops a 1 MiB text and counts it', () => {
    expectDropped(chat({ ...fresh, text: ')'.repeat(1024 * 1024) }), 'TEXT_TOO_LONG', onTime)
    expectDropped(chat({ ...fresh, text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }), 'TEXT_TOO_LONG', onTime)
  })

  it('drops any other over-long string, nested ones included', () => {
    expectDropped(chat({ ...fresh, chatId: 'c'.repeat(MAX_STRING_LENGTH + 1) }), 'FIELD_TOO_LONG', onTime)
    expectDropped(chat({ ...fresh, responseTo: 'r'.repeat(MAX_STRING_LENGTH + 1) }), 'FIELD_TOO_LONG', onTime)
    expectDropped(chat({ ...fresh, ensName: 'e'.repeat(MAX_STRING_LENGTH + 1) }), 'FIELD_TOO_LONG', onTime)
    const sticker = { case: 'sticker' as const, value: { hash: 'h'.repeat(MAX_STRING_LENGTH + 1), pack: 1 } }
    expectDropped(chat({ ...fresh, contentType: ContentType.STICKER, payload: sticker }), 'FIELD_TOO_LONG', onTime)
    expectDropped(wrap(ContactUpdateSchema, { clock: 5n, hushDisplayName: 'n'.repeat(MAX_STRING_LENGTH + 1) }, MessageKind.CONTACT_UPDATE), 'FIELD_TOO_LONG', onTime)
  })

  it('allows a Status profile picture up to its own cap', () => {
    const image = (length: number) => wrap(ContactUpdateSchema, { clock: 5n, profileImage: 'i'.repeat(length) }, MessageKind.CONTACT_UPDATE)
    expectAccepted(image(MAX_PROFILE_IMAGE_LENGTH), onTime)
    expectDropped(image(MAX_PROFILE_IMAGE_LENGTH + 1), 'FIELD_TOO_LONG', onTime)
  })

  it('drops over-long bytes and lists', () => {
    const signature = new Uint8Array(MAX_BYTES_LENGTH + 1).fill(1)
    expectDropped(wrap(SendTransactionSchema, { clock: 1n, transactionHash: '0xdead', signature }, MessageKind.SEND_TRANSACTION), 'FIELD_TOO_LONG', onTime)
    const tags = (count: number) =>
      wrap(SyncInstallationContactSchema, { clock: 1n, id: 'x', systemTags: Array.from({ length: count }, () => 't') }, MessageKind.SYNC_INSTALLATION_CONTACT)
    expectAccepted(tags(MAX_LIST_LENGTH), onTime)
    expectDropped(tags(MAX_LIST_LENGTH + 1), 'LIST_TOO_LONG', onTime)
    const longTag = wrap(SyncInstallationContactSchema, { clock: 1n, id: 'x', systemTags: ['t'.repeat(MAX_STRING_LENGTH + 1)] }, MessageKind.SYNC_INSTALLATION_CONTACT)
    expectDropped(longTag, 'FIELD_TOO_LONG', onTime)
  })

  it('drops a group update carrying more events than the list cap, before any is looked at', () => {
    const events = Array.from({ length: MAX_LIST_LENGTH + 1 }, () => new Uint8Array([1]))
    expectDropped(wrap(MembershipUpdateMessageSchema, { chatId: 'g', events }, MessageKind.MEMBERSHIP_UPDATE_MESSAGE), 'LIST_TOO_LONG')
  })
})

describe('PairInstallation rules', () => {
  const valid = { clock: 1n, installationId: 'abc', deviceType: 'desktop', name: 'laptop' }
  it('accepts a complete pairing message', () => {
    expectAccepted(wrap(PairInstallationSchema, valid, MessageKind.PAIR_INSTALLATION))
  })
  const violations: Array<[DropReason, MessageInitShape<typeof PairInstallationSchema>]> = [
    ['CLOCK_ZERO', { ...valid, clock: 0n }],
    ['NAME_BLANK', { ...valid, name: ' ' }],
    ['DEVICE_TYPE_BLANK', { ...valid, deviceType: '' }],
    ['INSTALLATION_ID_BLANK', { ...valid, installationId: '\t' }]
  ]
  for (const [reason, init] of violations) {
    it(`drops with ${reason}`, () => expectDropped(wrap(PairInstallationSchema, init, MessageKind.PAIR_INSTALLATION), reason))
  }
})

describe('transaction command rules', () => {
  it('RequestAddressForTransaction needs a float value', () => {
    const valid = { clock: 1n, value: '0.5', contract: '' }
    expectAccepted(wrap(RequestAddressForTransactionSchema, valid, MessageKind.REQUEST_ADDRESS_FOR_TRANSACTION))
    expectDropped(
      wrap(RequestAddressForTransactionSchema, { ...valid, value: ' ' }, MessageKind.REQUEST_ADDRESS_FOR_TRANSACTION),
      'VALUE_BLANK'
    )
    expectDropped(
      wrap(RequestAddressForTransactionSchema, { ...valid, value: '1,5' }, MessageKind.REQUEST_ADDRESS_FOR_TRANSACTION),
      'VALUE_NOT_A_NUMBER'
    )
    expectDropped(
      wrap(RequestAddressForTransactionSchema, { ...valid, clock: 200_000n }, MessageKind.REQUEST_ADDRESS_FOR_TRANSACTION),
      'CLOCK_TOO_HIGH'
    )
  })

  it('RequestTransaction needs value, address and a float value', () => {
    const valid = { clock: 1n, address: '0xabc', value: '2', contract: '' }
    expectAccepted(wrap(RequestTransactionSchema, valid, MessageKind.REQUEST_TRANSACTION))
    expectDropped(wrap(RequestTransactionSchema, { ...valid, value: '' }, MessageKind.REQUEST_TRANSACTION), 'VALUE_BLANK')
    expectDropped(wrap(RequestTransactionSchema, { ...valid, address: '' }, MessageKind.REQUEST_TRANSACTION), 'ADDRESS_BLANK')
    expectDropped(wrap(RequestTransactionSchema, { ...valid, value: 'ten' }, MessageKind.REQUEST_TRANSACTION), 'VALUE_NOT_A_NUMBER')
  })

  it('AcceptRequestAddressForTransaction needs an id and an address', () => {
    const valid = { clock: 1n, id: '0x01', address: '0xabc' }
    const kind = MessageKind.ACCEPT_REQUEST_ADDRESS_FOR_TRANSACTION
    expectAccepted(wrap(AcceptRequestAddressForTransactionSchema, valid, kind))
    expectDropped(wrap(AcceptRequestAddressForTransactionSchema, { ...valid, id: '' }, kind), 'ID_EMPTY')
    expectDropped(wrap(AcceptRequestAddressForTransactionSchema, { ...valid, address: ' ' }, kind), 'ADDRESS_BLANK')
  })

  it('declines need an id', () => {
    expectAccepted(
      wrap(DeclineRequestAddressForTransactionSchema, { clock: 1n, id: 'x' }, MessageKind.DECLINE_REQUEST_ADDRESS_FOR_TRANSACTION)
    )
    expectDropped(
      wrap(DeclineRequestAddressForTransactionSchema, { clock: 1n }, MessageKind.DECLINE_REQUEST_ADDRESS_FOR_TRANSACTION),
      'ID_EMPTY'
    )
    expectAccepted(wrap(DeclineRequestTransactionSchema, { clock: 1n, id: 'x' }, MessageKind.DECLINE_REQUEST_TRANSACTION))
    expectDropped(wrap(DeclineRequestTransactionSchema, { clock: 1n }, MessageKind.DECLINE_REQUEST_TRANSACTION), 'ID_EMPTY')
  })

  it('SendTransaction needs a hash and a signature', () => {
    const valid = { clock: 1n, id: '', transactionHash: '0xdead', signature: new Uint8Array([1]) }
    expectAccepted(wrap(SendTransactionSchema, valid, MessageKind.SEND_TRANSACTION))
    expectDropped(wrap(SendTransactionSchema, { ...valid, transactionHash: ' ' }, MessageKind.SEND_TRANSACTION), 'TRANSACTION_HASH_BLANK')
    expectDropped(wrap(SendTransactionSchema, { ...valid, signature: new Uint8Array() }, MessageKind.SEND_TRANSACTION), 'SIGNATURE_EMPTY')
  })

  it('parses floats with Go’s grammar', () => {
    for (const ok of ['1', '-1.5', '.5', '5.', '1e3', '+2E-2', 'Inf', '-infinity', 'NaN', '0x1p-2']) {
      expect(parsesAsGoFloat(ok), ok).toBe(true)
    }
    for (const bad of ['', ' 1', '1 ', '1,5', '0x10', 'e3', '1e400', 'abc', '1.2.3']) {
      expect(parsesAsGoFloat(bad), bad).toBe(false)
    }
  })
})

const chatId = 'a1b2-0x04abc'
const created = signGroupEvent(chatId, { clock: 1_000n, type: GroupEventType.CHAT_CREATED, name: 'g' }, key).raw
const groupChat = { ...validChat, chatId, messageType: MessageType.PRIVATE_GROUP }

function readUpdate(message?: MessageInitShape<typeof ChatMessageSchema>) {
  const drops = new DropCounter()
  const raw = wrap(MembershipUpdateMessageSchema, { chatId, events: [created], message }, MessageKind.MEMBERSHIP_UPDATE_MESSAGE)
  const result = readInbound(raw, context, drops)
  if (!result.ok || result.payload.kind !== MessageKind.MEMBERSHIP_UPDATE_MESSAGE) throw new Error('update not read')
  return { payload: result.payload, drops }
}

// Events are checked by group-state.ts against the stored group; inbound only vets the carried ChatMessage.
describe('membership updates', () => {
  it('passes the events on unverified, with the embedded valid chat message', () => {
    const { payload, drops } = readUpdate(groupChat)
    expect(payload.message.events).toEqual([created])
    expect(payload.chatMessage?.text).toBe('some-text')
    expect(payload.chatMessageDrop).toBeNull()
    expect(drops.total).toBe(0)
  })

  it('an invalid embedded chat message is dropped and counted, but the update still applies (as in status-go)', () => {
    const { payload, drops } = readUpdate({ ...groupChat, text: ' ' })
    expect(payload.chatMessage).toBeNull()
    expect(payload.chatMessageDrop).toBe('TEXT_BLANK')
    expect(payload.message.events).toHaveLength(1)
    expect(drops.snapshot()).toEqual({ TEXT_BLANK: 1 })
  })

  it('drops an embedded chat message for another chat or of another type', () => {
    for (const message of [
      { ...groupChat, chatId: 'other-group' },
      { ...groupChat, messageType: MessageType.ONE_TO_ONE }
    ]) {
      const { payload, drops } = readUpdate(message)
      expect(payload.chatMessage).toBeNull()
      expect(payload.chatMessageDrop).toBe('GROUP_MESSAGE_MISMATCH')
      expect(drops.count('GROUP_MESSAGE_MISMATCH')).toBe(1)
    }
  })
})

describe('decoding failures and unknown types', () => {
  it('drops malformed wrapper bytes', () => {
    expectDropped(hexToBytes('0a05ff'), 'MALFORMED_WRAPPER')
  })

  it('drops a wrapper whose signature cannot be recovered', () => {
    const bad = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { signature: new Uint8Array(65), payload: new Uint8Array([8, 1]), type: MessageKind.CHAT_MESSAGE })
    )
    expectDropped(bad, 'BAD_SIGNATURE')
  })

  it('drops an unsigned wrapper that arrived without a transport signer', () => {
    const unsigned = toBinary(
      ApplicationMetadataMessageSchema,
      create(ApplicationMetadataMessageSchema, { payload: new Uint8Array([8, 1]), type: MessageKind.CHAT_MESSAGE })
    )
    expectDropped(unsigned, 'NO_AUTHOR')
  })

  it('drops a malformed payload', () => {
    expectDropped(wrapMessage(hexToBytes('0aff'), MessageKind.CHAT_MESSAGE, key), 'MALFORMED_PAYLOAD')
  })

  it('ignores (and counts) wrapper types it does not know', () => {
    expectDropped(wrapMessage(new Uint8Array(), 42 as MessageKind, key), 'UNSUPPORTED_TYPE')
  })

  it('accepts a ContactUpdate (no stateless rules)', () => {
    expectAccepted(wrap(ContactUpdateSchema, { clock: 5n, ensName: '' }, MessageKind.CONTACT_UPDATE))
  })

  it('keeps a tally per reason across messages', () => {
    const drops = new DropCounter()
    readInbound(hexToBytes('0a05ff'), context, drops)
    readInbound(hexToBytes('0a05ff'), context, drops)
    readInbound(wrap(ChatMessageSchema, { ...validChat, clock: 0n }, MessageKind.CHAT_MESSAGE), context, drops)
    expect(drops.snapshot()).toEqual({ MALFORMED_WRAPPER: 2, CLOCK_ZERO: 1 })
    expect(drops.total).toBe(3)
    expect(DROP_REASONS).toContain('CLOCK_ZERO')
  })
})
