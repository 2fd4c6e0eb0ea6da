import { create, toBinary } from '@bufbuild/protobuf'
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import derived from '../../../../test/vectors/group-events-derived.json'
import vectors from '../../../../test/vectors/status-go-groups.json'
import { keccak256 } from '../primitives/keccak'
import { MembershipUpdateEventSchema, MembershipUpdateMessageSchema } from './gen/protobuf/membership_update_message_pb'
import { decodeProto } from './decode'
import {
  encodeMembershipUpdate,
  eventSigningDigest,
  GroupEventType,
  readGroupEvent,
  signGroupEvent,
  systemMessageId
} from './group-events'
import { MAX_GROUP_EVENT_BYTES, MAX_GROUP_NAME_BYTES, MAX_GROUP_SIZE } from './group-limits'

const keys = vectors.keys
const alice = hexToBytes(keys.alice.privateKey.slice(2))
const chatId = vectors.groups.chatId
const hex = (b: Uint8Array) => '0x' + bytesToHex(b)

/** A validly signed entry with whatever fields a hostile peer chooses (signGroupEvent checks no bounds). */
function hostile(fields: Parameters<typeof signGroupEvent>[1]): Uint8Array {
  return signGroupEvent(chatId, fields, alice).raw
}

function eventBytes(init: Parameters<typeof create<typeof MembershipUpdateEventSchema>>[1]): Uint8Array {
  return toBinary(MembershipUpdateEventSchema, create(MembershipUpdateEventSchema, init))
}

describe('signed event encoding against a vector derived from the spec', () => {
  for (const c of derived.cases) {
    it(`${c.case}`, () => {
      const key = hexToBytes(keys[c.actor as keyof typeof keys].privateKey.slice(2))
      const event = signGroupEvent(derived.chatId, { type: c.type, clock: BigInt(c.clock), members: c.members, name: c.name }, key)
      expect(hex(event.raw.subarray(65))).toBe(c.eventProtobuf)
      expect(hex(eventSigningDigest(derived.chatId, event.raw.subarray(65)))).toBe(c.signatureDigest)
      expect(hex(event.signature)).toBe(c.signature)
      expect(hex(event.raw)).toBe(c.signedEvent)
      const read = readGroupEvent(derived.chatId, hexToBytes(c.signedEvent.slice(2)))
      expect(read.author).toBe(c.recoveredAuthor)
      expect(read.name).toBe(c.name)
      expect(read.members).toEqual(c.members)
    })
  }
})

describe('readGroupEvent', () => {
  const rename = signGroupEvent(chatId, { type: GroupEventType.NAME_CHANGED, clock: 7n, name: 'n' }, alice)

  it('an event replayed into another group does not recover its real author', () => {
    expect(readGroupEvent(chatId, rename.raw).author).toBe(keys.alice.publicKey)
    expect(readGroupEvent(chatId + 'x', rename.raw).author).not.toBe(keys.alice.publicKey)
  })

  it('refuses entries with no event after the signature, exactly 65 bytes included (status-go: len <= 65)', () => {
    for (const length of [0, 40, 65]) {
      expect(() => readGroupEvent(chatId, rename.raw.subarray(0, length))).toThrow(
        expect.objectContaining({ reason: 'GROUP_EVENT_MALFORMED' })
      )
    }
  })

  it('refuses undecodable event bytes and oversized entries', () => {
    const garbage = concatBytes(rename.signature, hexToBytes('0aff'))
    expect(() => readGroupEvent(chatId, garbage)).toThrow(expect.objectContaining({ reason: 'GROUP_EVENT_MALFORMED' }))
    const huge = concatBytes(rename.signature, new Uint8Array(MAX_GROUP_EVENT_BYTES))
    expect(() => readGroupEvent(chatId, huge)).toThrow(expect.objectContaining({ reason: 'GROUP_EVENT_MALFORMED' }))
  })

  it('refuses a signature that recovers no key, and recovery ids status-go refuses (27/28, ≥ 4)', () => {
    const zeroed = rename.raw.slice()
    zeroed.fill(0, 0, 64)
    expect(() => readGroupEvent(chatId, zeroed)).toThrow(expect.objectContaining({ reason: 'BAD_EVENT_SIGNATURE' }))
    for (const v of [4, 27, 28]) {
      const shifted = rename.raw.slice()
      shifted[64] = v
      expect(() => readGroupEvent(chatId, shifted)).toThrow(expect.objectContaining({ reason: 'BAD_EVENT_SIGNATURE' }))
    }
  })

  it('refuses member ids that are not lowercase "0x04…" keys on the curve', () => {
    const offCurve = '0x04' + '00'.repeat(64)
    for (const member of [keys.bob.publicKey.toUpperCase().replace('0X', '0x'), keys.bob.publicKey.slice(0, -2), offCurve, 'bob', '']) {
      const raw = hostile({ clock: 2n, type: GroupEventType.MEMBERS_ADDED, members: [member] })
      expect(() => readGroupEvent(chatId, raw), member).toThrow(expect.objectContaining({ reason: 'GROUP_MEMBER_ID_INVALID' }))
    }
  })

  it(`refuses more than ${MAX_GROUP_SIZE} members in one event and names over ${MAX_GROUP_NAME_BYTES} bytes`, () => {
    const many = Array.from({ length: MAX_GROUP_SIZE + 1 }, () => keys.bob.publicKey)
    const crowd = hostile({ clock: 2n, type: GroupEventType.MEMBERS_ADDED, members: many })
    expect(() => readGroupEvent(chatId, crowd)).toThrow(expect.objectContaining({ reason: 'GROUP_TOO_LARGE' }))
    const longName = hostile({ clock: 2n, type: GroupEventType.NAME_CHANGED, name: 'é'.repeat(MAX_GROUP_NAME_BYTES / 2 + 1) })
    expect(() => readGroupEvent(chatId, longName)).toThrow(expect.objectContaining({ reason: 'GROUP_NAME_TOO_LONG' }))
    const atLimit = hostile({ clock: 2n, type: GroupEventType.NAME_CHANGED, name: 'é'.repeat(MAX_GROUP_NAME_BYTES / 2) })
    expect(readGroupEvent(chatId, atLimit).name).toHaveLength(MAX_GROUP_NAME_BYTES / 2)
  })

  it('reuses a known event only when the whole entry is byte-identical', () => {
    const known = new Map([[bytesToHex(rename.signature), rename]])
    expect(readGroupEvent(chatId, rename.raw.slice(), known)).toBe(rename)
    // Same signature, other event bytes: recovered afresh, and the signer is no longer alice.
    const tampered = concatBytes(rename.signature, eventBytes({ clock: 7n, type: GroupEventType.NAME_CHANGED, name: 'm' }))
    const read = readGroupEvent(chatId, tampered, known)
    expect(read).not.toBe(rename)
    expect(read.author).not.toBe(keys.alice.publicKey)
  })
})

describe('encoding a MembershipUpdateMessage and system message ids', () => {
  it('lays out chat_id, the events in the order given, and the optional message', () => {
    const a = signGroupEvent(chatId, { type: GroupEventType.CHAT_CREATED, clock: 1n, name: 'g' }, alice)
    const b = signGroupEvent(chatId, { type: GroupEventType.MEMBER_JOINED, clock: 2n }, alice)
    const decoded = decodeProto(MembershipUpdateMessageSchema, encodeMembershipUpdate(chatId, [a, b]))
    expect(decoded.chatId).toBe(chatId)
    expect(decoded.events.map(hex)).toEqual([hex(a.raw), hex(b.raw)])
    expect(decoded.message).toBeUndefined()
  })

  it('names the timeline line of an event keccak256(signature), as status-go', () => {
    const a = signGroupEvent(chatId, { type: GroupEventType.CHAT_CREATED, clock: 1n, name: 'g' }, alice)
    expect(systemMessageId(a)).toBe(hex(keccak256(a.signature)))
  })
})
