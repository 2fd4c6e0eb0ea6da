import { hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { publicKeyOf } from '../primitives/secp256k1'
import { chatKeyId } from './chat-matching'
import { decodeProto } from './decode'
import { ChatMessage_ContentType, ChatMessage_MessageType } from './gen/protobuf/chat_message_pb'
import { MembershipUpdateMessageSchema } from './gen/protobuf/membership_update_message_pb'
import { changeGroup, createGroup, encodeGroupMessage, type GroupChange } from './group-changes'
import { GroupEventType } from './group-events'
import { parseGroupId } from './group-id'
import { MAX_GROUP_EVENTS, MAX_GROUP_NAME_BYTES, MAX_GROUP_SIZE } from './group-limits'
import { applyMembershipUpdate, type GroupState } from './group-state'

const privateKey = (n: number) => hexToBytes(n.toString(16).padStart(2, '0').repeat(32))
const [aliceKey, bobKey, carolKey, daveKey] = [1, 2, 3, 4].map(privateKey) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
const idOf = (key: Uint8Array) => chatKeyId(publicKeyOf(key, false))
const [alice, bob, carol, dave] = [aliceKey, bobKey, carolKey, daveKey].map(idOf) as [string, string, string, string]
const random = () => new Uint8Array(16).fill(7)

function newGroup(members = [bob, carol]): GroupState {
  const result = createGroup({ name: 'friends', members, creatorKey: aliceKey, clock: 1000n, random })
  if (!result.ok) throw new Error(result.detail)
  return result.state
}

function change(state: GroupState, c: GroupChange, key: Uint8Array, clock = state.lastClock + 1n): GroupState {
  const result = changeGroup(state, c, key, clock)
  if (!result.ok) throw new Error(result.detail)
  return result.state
}

describe('createGroup', () => {
  it('makes CHAT_CREATED then MEMBERS_ADDED one clock later, under a fresh canonical id', () => {
    const result = createGroup({ name: 'friends', members: [bob, carol], creatorKey: aliceKey, clock: 1000n, random })
    if (!result.ok) throw new Error(result.detail)
    expect(result.events.map((e) => [e.type, e.clock])).toEqual([
      [GroupEventType.CHAT_CREATED, 1000n],
      [GroupEventType.MEMBERS_ADDED, 1001n]
    ])
    expect(parseGroupId(result.state.id)).toMatchObject({ ok: true, creator: alice })
    expect(result.state).toMatchObject({ name: 'friends', members: [alice, bob, carol], admins: [alice], joined: [alice] })
  })

  it('refuses blank or over-long names, bad, repeated or missing members, the creator as member, and too many', () => {
    const spec = { name: 'friends', members: [bob], creatorKey: aliceKey, clock: 1000n, random }
    const others = Array.from({ length: MAX_GROUP_SIZE }, (_, i) => idOf(privateKey(10 + i)))
    const cases: [Partial<typeof spec>, string][] = [
      [{ name: '  ' }, 'NAME_BLANK'],
      [{ name: 'x'.repeat(MAX_GROUP_NAME_BYTES + 1) }, 'NAME_TOO_LONG'],
      [{ members: [] }, 'NO_MEMBERS'],
      [{ members: ['0x04' + '00'.repeat(64)] }, 'MEMBER_ID_INVALID'],
      [{ members: [bob, bob] }, 'MEMBER_ID_INVALID'],
      [{ members: [alice] }, 'ALREADY_MEMBER'],
      [{ members: others }, 'GROUP_TOO_LARGE'],
      [{ clock: 0n }, 'CLOCK_NOT_AFTER_LAST']
    ]
    for (const [override, reason] of cases) expect(createGroup({ ...spec, ...override }), reason).toMatchObject({ ok: false, reason })
    expect(createGroup({ ...spec, members: others.slice(1) }).ok).toBe(true)
  })
})

describe('changeGroup', () => {
  it('runs the issue’s story: join, refused rename, admin, rename, add, remove, leave', () => {
    let s = newGroup()
    s = change(s, { kind: 'join' }, bobKey)
    s = change(s, { kind: 'join' }, carolKey)
    expect(changeGroup(s, { kind: 'rename', name: 'bob’s' }, bobKey, s.lastClock + 1n)).toMatchObject({ ok: false, reason: 'NOT_ALLOWED' })
    s = change(s, { kind: 'add-admins', admins: [bob] }, aliceKey)
    s = change(s, { kind: 'rename', name: 'bob’s' }, bobKey)
    s = change(s, { kind: 'add-members', members: [dave] }, aliceKey)
    s = change(s, { kind: 'remove-member', member: carol }, aliceKey)
    s = change(s, { kind: 'leave' }, bobKey)
    expect(s).toMatchObject({ name: 'bob’s', members: [alice, dave], admins: [alice], joined: [alice] })

    // What the others receive is the same group.
    const received = applyMembershipUpdate(null, decodeProto(MembershipUpdateMessageSchema, encodeGroupMessage(s)), { ownId: dave, nowMs: 2000 })
    expect(received).toMatchObject({ ok: true, state: { name: s.name, members: s.members, admins: s.admins, joined: s.joined } })
  })

  it('refuses what receivers would refuse, and what Hush will not make', () => {
    const s = change(newGroup(), { kind: 'join' }, bobKey)
    const next = s.lastClock + 1n
    const cases: [GroupChange, Uint8Array, string][] = [
      [{ kind: 'add-members', members: [dave] }, bobKey, 'NOT_ALLOWED'],
      [{ kind: 'remove-member', member: carol }, bobKey, 'NOT_ALLOWED'],
      [{ kind: 'join' }, daveKey, 'NOT_ALLOWED'],
      [{ kind: 'resign-admin' }, bobKey, 'NOT_ALLOWED'],
      [{ kind: 'add-admins', admins: [carol] }, bobKey, 'NOT_ALLOWED'],
      [{ kind: 'add-admins', admins: [bob, dave] }, aliceKey, 'NOT_A_MEMBER'],
      [{ kind: 'add-admins', admins: [] }, aliceKey, 'NO_MEMBERS'],
      [{ kind: 'add-members', members: [bob] }, aliceKey, 'ALREADY_MEMBER'],
      [{ kind: 'add-members', members: ['bob'] }, aliceKey, 'MEMBER_ID_INVALID'],
      [{ kind: 'remove-member', member: dave }, aliceKey, 'NOT_A_MEMBER'],
      [{ kind: 'remove-member', member: 'dave' }, aliceKey, 'MEMBER_ID_INVALID'],
      [{ kind: 'rename', name: '' }, aliceKey, 'NAME_BLANK']
    ]
    for (const [c, key, reason] of cases) expect(changeGroup(s, c, key, next), `${c.kind} ${reason}`).toMatchObject({ ok: false, reason })
    expect(changeGroup(s, { kind: 'rename', name: 'x' }, aliceKey, s.lastClock)).toMatchObject({ ok: false, reason: 'CLOCK_NOT_AFTER_LAST' })
  })

  it('refuses to grow the group or its history past the limits', () => {
    const full = newGroup(Array.from({ length: MAX_GROUP_SIZE - 1 }, (_, i) => idOf(privateKey(10 + i))))
    expect(changeGroup(full, { kind: 'add-members', members: [dave] }, aliceKey, 5000n)).toMatchObject({ ok: false, reason: 'GROUP_TOO_LARGE' })
    const small = newGroup()
    const long: GroupState = { ...small, events: Array.from({ length: MAX_GROUP_EVENTS }, (_, i) => small.events[i % 2]!) }
    expect(changeGroup(long, { kind: 'join' }, bobKey, 5000n)).toMatchObject({ ok: false, reason: 'TOO_MANY_EVENTS' })
  })
})

describe('encodeGroupMessage', () => {
  it('carries the whole history and a PRIVATE_GROUP ChatMessage naming the group', () => {
    const s = change(newGroup(), { kind: 'join' }, bobKey)
    const content = { clock: 5000n, timestamp: 5000n, text: 'hi', contentType: ChatMessage_ContentType.TEXT_PLAIN }
    const decoded = decodeProto(MembershipUpdateMessageSchema, encodeGroupMessage(s, content))
    expect(decoded.chatId).toBe(s.id)
    expect(decoded.events).toEqual(s.events.map((e) => e.raw))
    expect(decoded.message).toMatchObject({ chatId: s.id, messageType: ChatMessage_MessageType.PRIVATE_GROUP, text: 'hi' })
  })
})
