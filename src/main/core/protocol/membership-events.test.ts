import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { create, toBinary } from '@bufbuild/protobuf'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../primitives/keccak'
import { MembershipUpdateEvent_EventType as EventType, MembershipUpdateEventSchema } from './gen/protobuf/membership_update_message_pb'
import { readMembershipEvent, signMembershipEvent } from './membership-events'

const key = hexToBytes('c6cbd7d76bc5baca530c875663711b947efa6a86a900a9e8645ce32e5821484e')
const pub = secp256k1.getPublicKey(key, false)
const chatId = '9d2a6b0c-0000-4000-8000-000000000000-0x' + bytesToHex(pub)
const init = { clock: 7n, type: EventType.MEMBERS_ADDED, members: ['0x04aa', '0x04bb'] }

describe('membership events', () => {
  it('lays out signature(keccak256(chatId ‖ event)) ‖ event and recovers the author', () => {
    const raw = signMembershipEvent(chatId, init, key)
    const eventBytes = toBinary(MembershipUpdateEventSchema, create(MembershipUpdateEventSchema, init))
    expect(bytesToHex(raw.subarray(65))).toBe(bytesToHex(eventBytes))
    const digest = keccak256(concatBytes(utf8ToBytes(chatId), eventBytes))
    expect(secp256k1.verify(raw.subarray(0, 64), digest, pub, { prehash: false })).toBe(true)

    const read = readMembershipEvent(chatId, raw)
    expect(bytesToHex(read.author)).toBe(bytesToHex(pub))
    expect(read.event.members).toEqual(['0x04aa', '0x04bb'])
    expect(read.event.type).toBe(EventType.MEMBERS_ADDED)
    expect(read.raw).toBe(raw)
  })

  it('an event replayed into another group does not recover its real author', () => {
    const raw = signMembershipEvent(chatId, init, key)
    expect(bytesToHex(readMembershipEvent('other-group', raw).author)).not.toBe(bytesToHex(pub))
  })

  it('rejects an entry too short for a signature', () => {
    expect(() => readMembershipEvent(chatId, new Uint8Array(64))).toThrow(expect.objectContaining({ code: 'TOO_SHORT' }))
  })

  it('rejects undecodable event bytes', () => {
    const raw = concatBytes(signMembershipEvent(chatId, init, key).subarray(0, 65), hexToBytes('0aff'))
    expect(() => readMembershipEvent(chatId, raw)).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})
