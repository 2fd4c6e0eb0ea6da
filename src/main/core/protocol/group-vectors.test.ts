import { create, toBinary } from '@bufbuild/protobuf'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import vectors from '../../../../test/vectors/status-go-groups.json'
import { ChatMessageSchema } from './gen/protobuf/chat_message_pb'
import { MembershipUpdateMessageSchema } from './gen/protobuf/membership_update_message_pb'
import { decodeProto } from './decode'
import { changeGroup, createGroup, encodeGroupMessage, type GroupChange } from './group-changes'
import { eventSigningDigest, type GroupEventType, readGroupEvent, signGroupEvent } from './group-events'
import { applyMembershipUpdate, type GroupState, groupRecipients, mayShowGroupMessage, restoreGroup } from './group-state'
import { readInbound } from './inbound'
import { DropCounter } from './validation'
import { MessageKind, unwrapMessage, wrapMessage } from './wrapper'

// Values computed by status-go v0.52.3's own packages (copied from ../shared/spec/status-go-vectors.json).
const g = vectors.groups
type Name = keyof typeof vectors.keys
const key = (name: string) => hexToBytes(vectors.keys[name as Name].privateKey.slice(2))
const id = (name: string) => vectors.keys[name as Name].publicKey
const nameOf = (publicKey: string) => Object.entries(vectors.keys).find(([, k]) => k.publicKey === publicKey)![0]
const hex = (bytes: Uint8Array) => '0x' + bytesToHex(bytes)
const bytes = (h: string) => hexToBytes(h.slice(2))
// Later than every clock in the vectors, within the 120 s future-drift window of all of them.
const nowMs = g.t0 + 60_000

function snapshot(state: GroupState) {
  return {
    admins: state.admins,
    eventCount: state.events.length,
    joined: state.joined,
    lastClockValue: Number(state.lastClock),
    members: state.members,
    name: state.name
  }
}

function decodeUpdate(amm: string) {
  const envelope = unwrapMessage(bytes(amm))
  expect(envelope.type).toBe(MessageKind.MEMBERSHIP_UPDATE_MESSAGE)
  return { envelope, update: decodeProto(MembershipUpdateMessageSchema, envelope.payload) }
}

// The status-go API call behind each step, as a Hush change.
const changes: Record<string, GroupChange> = {
  memberJoined: { kind: 'join' },
  nameChanged: { kind: 'rename', name: 'renamed' },
  adminsAdded: { kind: 'add-admins', admins: [id('bob')] },
  memberRemoved: { kind: 'remove-member', member: id('carol') },
  memberLeft: { kind: 'leave' }
}

/** Alice's view after each step, made with Hush's own sending API. */
function hushStates(): Map<string, GroupState> {
  const uuid = hexToBytes(g.uuid.replaceAll('-', ''))
  const created = createGroup({
    name: 'hush group',
    members: [id('bob'), id('carol')],
    creatorKey: key('alice'),
    clock: BigInt(g.t0),
    random: () => uuid
  })
  if (!created.ok) throw new Error(created.detail)
  const first = restoreGroup(created.state.id, created.events.slice(0, 1))
  if (!first.ok) throw new Error(first.detail)
  const states = new Map([
    ['chatCreated', first.state],
    ['membersAdded', created.state]
  ])
  let state = created.state
  for (const step of g.events.slice(2)) {
    const result = changeGroup(state, changes[step.step]!, key(step.actor), BigInt(step.clock))
    if (!result.ok) throw new Error(`${step.step}: ${result.detail}`)
    state = result.state
    states.set(step.step, state)
  }
  return states
}

describe('status-go v0.52.3 group vectors: signed events', () => {
  it('uses the vector chat id, made by the chat-id rule from the fixed UUID', () => {
    expect(g.chatId).toBe(`${g.uuid}-${id('alice')}`)
    expect(hushStates().get('chatCreated')!.id).toBe(g.chatId)
  })

  for (const step of g.events) {
    it(`${step.step}: ${step.typeName} by ${step.actor} encodes, signs and reads back byte for byte`, () => {
      const fields = { type: step.type as GroupEventType, clock: BigInt(step.clock), members: step.members ?? [], name: step.name }
      const event = signGroupEvent(g.chatId, fields, key(step.actor))
      expect(hex(event.raw.subarray(65))).toBe(step.eventProtobuf)
      expect(hex(eventSigningDigest(g.chatId, bytes(step.eventProtobuf)))).toBe(step.signatureDigest)
      expect(hex(event.signature)).toBe(step.signature)
      expect(hex(event.raw)).toBe(step.signedEvent)
      expect(event.author).toBe(step.recoveredAuthor)

      const read = readGroupEvent(g.chatId, bytes(step.signedEvent))
      expect(read.author).toBe(step.recoveredAuthor)
      expect({ type: read.type, clock: read.clock, members: read.members, name: read.name }).toEqual(fields)
    })
  }

  it('Hush’s own changes reach status-go’s state after every step, with the same event bytes', () => {
    const states = hushStates()
    for (const step of g.events) {
      const state = states.get(step.step)!
      expect(snapshot(state), step.step).toEqual(step.stateAfter)
      expect(hex(state.events[state.events.length - 1]!.raw), step.step).toBe(step.signedEvent)
    }
    expect(snapshot(states.get('memberLeft')!)).toEqual(g.finalState)
  })
})

describe('status-go v0.52.3 group vectors: membership update messages', () => {
  for (const u of g.updates) {
    it(`${u.afterStep}: Hush sends status-go’s bytes to status-go’s recipients`, () => {
      const state = hushStates().get(u.afterStep)!
      const payload = encodeGroupMessage(state)
      expect(hex(payload)).toBe(u.membershipUpdateMessage)
      const amm = wrapMessage(payload, MessageKind.MEMBERSHIP_UPDATE_MESSAGE, key(nameOf(u.sender)))
      expect(hex(amm)).toBe(u.applicationMetadataMessage)
      expect(unwrapMessage(amm).id).toBe(u.messageId)
      const removed = u.afterStep === 'memberRemoved' ? [id('carol')] : u.afterStep === 'memberLeft' ? [u.sender] : []
      expect(groupRecipients(state, u.sender, removed)).toEqual(u.recipients)
    })

    it(`${u.afterStep}: every recipient reads status-go’s message and reaches its state`, () => {
      const { envelope, update } = decodeUpdate(u.applicationMetadataMessage)
      expect(hex(envelope.author)).toBe(u.sender)
      expect(hex(envelope.signature)).toBe(u.signature)
      expect(envelope.id).toBe(u.messageId)
      expect(hex(toBinary(MembershipUpdateMessageSchema, update))).toBe(u.membershipUpdateMessage)
      // The member just removed gets the removal too, but cannot learn of the group from it.
      const [members, removed] = [u.recipients.filter((r) => u.receiverGroupState.members.includes(r)), u.afterStep === 'memberRemoved' ? [id('carol')] : []]
      expect(u.recipients).toEqual([...members, ...removed])
      for (const recipient of removed) {
        expect(applyMembershipUpdate(null, update, { ownId: recipient, nowMs })).toMatchObject({ ok: false, reason: 'GROUP_NOT_A_MEMBER' })
      }
      for (const recipient of members) {
        const result = applyMembershipUpdate(null, update, { ownId: recipient, nowMs })
        if (!result.ok) throw new Error(result.detail)
        expect(result.created).toBe(true)
        expect(result.state.events.map((e) => e.author)).toEqual(u.decodedEventAuthors)
        expect(snapshot(result.state)).toEqual(u.receiverGroupState)
      }
    })
  }

  it('a member who receives the updates one after another merges them into status-go’s states', () => {
    const states = hushStates()
    for (const receiver of ['alice', 'bob', 'carol']) {
      // Alice knows the group from creating it; the others from the first update they receive.
      let state: GroupState | null = receiver === 'alice' ? states.get('membersAdded')! : null
      for (const u of g.updates.filter((x) => x.recipients.includes(id(receiver)))) {
        const result = applyMembershipUpdate(state, decodeUpdate(u.applicationMetadataMessage).update, { ownId: id(receiver), nowMs })
        if (!result.ok) throw new Error(`${receiver} ${u.afterStep}: ${result.detail}`)
        expect(result.created).toBe(state === null)
        // Histories only grow, so what is new is what follows the events already known.
        expect(result.accepted.map((e) => e.author)).toEqual(u.decodedEventAuthors.slice(state?.events.length ?? 0))
        expect(snapshot(result.state), `${receiver} ${u.afterStep}`).toEqual(u.receiverGroupState)
        state = result.state
      }
    }
  })

  it('a resent history changes nothing and accepts no event twice', () => {
    const u = g.updates[2]!
    const { update } = decodeUpdate(u.applicationMetadataMessage)
    const first = applyMembershipUpdate(null, update, { ownId: id('bob'), nowMs })
    if (!first.ok) throw new Error(first.detail)
    const again = applyMembershipUpdate(first.state, update, { ownId: id('bob'), nowMs })
    expect(again).toEqual({ ok: true, state: first.state, accepted: [], created: false })
  })
})

describe('status-go v0.52.3 group vectors: group chat messages', () => {
  for (const [label, m, step] of [
    ['after all seven events', g.groupMessage, 'memberLeft'],
    ['after bob joined', g.groupMessageAfterJoin, 'memberJoined']
  ] as const) {
    it(`${label}: Hush encodes status-go’s ChatMessage, update and wrapper`, () => {
      const c = m.chatMessage
      const content = {
        clock: BigInt(c.clock),
        timestamp: BigInt(c.timestamp),
        text: c.text,
        contentType: c.content_type
      }
      const chat = create(ChatMessageSchema, { ...content, chatId: c.chat_id, messageType: c.message_type })
      expect(hex(toBinary(ChatMessageSchema, chat))).toBe(m.chatMessageProtobuf)
      const payload = encodeGroupMessage(hushStates().get(step)!, content)
      expect(hex(payload)).toBe(m.membershipUpdateMessage)
      const amm = wrapMessage(payload, MessageKind.MEMBERSHIP_UPDATE_MESSAGE, key('alice'))
      expect(hex(amm)).toBe(m.applicationMetadataMessage)
      expect(unwrapMessage(amm).id).toBe(m.messageId)
    })
  }

  it('after bob joined: bob reads the text and may show it; carol, only invited, may not', () => {
    const m = g.groupMessageAfterJoin
    const drops = new DropCounter()
    const inbound = readInbound(bytes(m.applicationMetadataMessage), { whisperTimestampMs: Number(m.chatMessage.clock), nowMs }, drops)
    if (!inbound.ok || inbound.payload.kind !== MessageKind.MEMBERSHIP_UPDATE_MESSAGE) throw new Error('not read as a group update')
    expect(inbound.envelope.id).toBe(m.messageId)
    expect(inbound.payload.chatMessage?.text).toBe('hello group')
    expect(drops.total).toBe(0)
    for (const [reader, shown] of [
      ['bob', true],
      ['carol', false]
    ] as const) {
      const result = applyMembershipUpdate(null, inbound.payload.message, { ownId: id(reader), nowMs })
      if (!result.ok) throw new Error(result.detail)
      expect(result.state.events.map((e) => e.author)).toEqual(m.decodedEventAuthors)
      expect(snapshot(result.state)).toEqual(m.receiverGroupState)
      expect(mayShowGroupMessage(result.state, m.sender, id(reader))).toBe(shown)
    }
  })

  it('after all seven events: alice’s history reads back; bob and carol, no longer members, cannot start the group from it', () => {
    const m = g.groupMessage
    const { update } = decodeUpdate(m.applicationMetadataMessage)
    const alice = applyMembershipUpdate(null, update, { ownId: id('alice'), nowMs })
    if (!alice.ok) throw new Error(alice.detail)
    expect(alice.state.events.map((e) => e.author)).toEqual(m.decodedEventAuthors)
    expect(snapshot(alice.state)).toEqual(m.receiverGroupState)
    for (const gone of ['bob', 'carol']) {
      expect(applyMembershipUpdate(null, update, { ownId: id(gone), nowMs })).toMatchObject({ ok: false, reason: 'GROUP_NOT_A_MEMBER' })
    }
  })
})

describe('status-go v0.52.3 group vectors: invalid updates', () => {
  const [renamedByBob, createdByBob] = g.invalid

  it('reproduces the refused events byte for byte', () => {
    for (const v of g.invalid) {
      const { update } = decodeUpdate(v.applicationMetadataMessage)
      expect(hex(toBinary(MembershipUpdateMessageSchema, update))).toBe(v.membershipUpdateMessage)
      const last = readGroupEvent(update.chatId, update.events[update.events.length - 1]!)
      const again = signGroupEvent(update.chatId, last, key('bob'))
      expect(hex(again.raw)).toBe(v.signedEvent)
      expect(hex(again.signature)).toBe(v.signature)
      expect(hex(again.raw.subarray(65))).toBe(v.eventProtobuf)
    }
  })

  it(`${renamedByBob!.case}: refused, as new group and as update, and nothing changes`, () => {
    const { update } = decodeUpdate(renamedByBob!.applicationMetadataMessage)
    expect(applyMembershipUpdate(null, update, { ownId: id('carol'), nowMs })).toMatchObject({
      ok: false,
      reason: 'GROUP_EVENT_REFUSED',
      eventIndex: 3
    })
    const known = hushStates().get('memberJoined')!
    const result = applyMembershipUpdate(known, update, { ownId: id('alice'), nowMs })
    expect(result).toMatchObject({ ok: false, reason: 'GROUP_EVENT_REFUSED' })
    expect(known.name).toBe('hush group')
  })

  it(`${createdByBob!.case}: refused by the chat-id rule`, () => {
    const { update } = decodeUpdate(createdByBob!.applicationMetadataMessage)
    expect(readGroupEvent(update.chatId, update.events[0]!).author).toBe(id('bob'))
    // For alice, whose key the id names, status-go's chat-id check decides; bob and carol are refused earlier,
    // before any signature is recovered, because nothing in the history can make them members.
    expect(applyMembershipUpdate(null, update, { ownId: id('alice'), nowMs })).toMatchObject({ ok: false, reason: 'GROUP_ID_INVALID' })
    for (const reader of ['bob', 'carol']) {
      expect(applyMembershipUpdate(null, update, { ownId: id(reader), nowMs })).toMatchObject({ ok: false })
    }
  })
})
