import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { chatKeyId } from './chat-matching'
import { publicKeyOf } from '../primitives/secp256k1'
import { type GroupEvent, type GroupEventFields, GroupEventType as T, signGroupEvent } from './group-events'
import { MAX_GROUP_EVENTS, MAX_GROUP_ID_LENGTH, MAX_GROUP_SIZE } from './group-limits'
import {
  acceptsNewGroup,
  applyMembershipUpdate,
  eventRefusal,
  type GroupState,
  groupRecipients,
  isGroupAdmin,
  isInvited,
  mayShowGroupMessage,
  mergeEvents,
  restoreGroup
} from './group-state'

const privateKey = (n: number) => hexToBytes(n.toString(16).padStart(2, '0').repeat(32))
const people = { alice: privateKey(1), bob: privateKey(2), carol: privateKey(3), dave: privateKey(4) }
type Person = keyof typeof people
const id = (who: Person) => chatKeyId(publicKeyOf(people[who], false))
const { alice, bob, carol, dave } = { alice: id('alice'), bob: id('bob'), carol: id('carol'), dave: id('dave') }
const groupId = `6f1c5a2e-1d3b-4c8e-9a7f-0b2d4e6f8a1c-${alice}`
const nowMs = 1_600_000_000_000

const sign = (who: Person, fields: GroupEventFields, chat = groupId) => signGroupEvent(chat, fields, people[who])
const created = sign('alice', { type: T.CHAT_CREATED, clock: 1000n, name: 'g' })
const invited = sign('alice', { type: T.MEMBERS_ADDED, clock: 1001n, members: [bob, carol] })
const bobJoined = sign('bob', { type: T.MEMBER_JOINED, clock: 1002n })
const bobAdmin = sign('alice', { type: T.ADMINS_ADDED, clock: 1003n, members: [bob] })
const base = [created, invited, bobJoined]

function receive(events: readonly GroupEvent[], ownId = alice, current: GroupState | null = null, chatId = groupId) {
  return applyMembershipUpdate(current, { chatId, events: events.map((e) => e.raw) }, { ownId, nowMs })
}

function stateOf(events: readonly GroupEvent[], ownId = alice): GroupState {
  const result = receive(events, ownId)
  if (!result.ok) throw new Error(result.detail)
  return result.state
}

interface Row {
  readonly title: string
  readonly history: readonly GroupEvent[]
  readonly by: Person
  readonly event: GroupEventFields
  readonly allowed: boolean
  /** Our identity when receiving; a member at the end. */
  readonly ownId?: string
}

const at = 2000n
const table: Record<string, readonly Row[]> = {
  CHAT_CREATED: [
    { title: 'allowed on an empty group', history: [], by: 'alice', event: { type: T.CHAT_CREATED, clock: at, name: 'g' }, allowed: true },
    { title: 'refused once the group exists', history: base, by: 'bob', event: { type: T.CHAT_CREATED, clock: at, name: 'g2' }, allowed: false },
    {
      title: 'allowed again once everyone has left (status-go checks only for no admins and no members)',
      history: [created, sign('alice', { type: T.MEMBER_REMOVED, clock: 1001n, members: [alice] })],
      by: 'bob',
      event: { type: T.CHAT_CREATED, clock: at, name: 'taken over' },
      allowed: true,
      ownId: bob
    }
  ],
  NAME_CHANGED: [
    { title: 'allowed for an admin', history: base, by: 'alice', event: { type: T.NAME_CHANGED, clock: at, name: 'new' }, allowed: true },
    { title: 'refused for a member who is not an admin', history: base, by: 'bob', event: { type: T.NAME_CHANGED, clock: at, name: 'new' }, allowed: false },
    { title: 'refused for an outsider', history: base, by: 'dave', event: { type: T.NAME_CHANGED, clock: at, name: 'new' }, allowed: false },
    { title: 'refused with an empty name, even for an admin', history: base, by: 'alice', event: { type: T.NAME_CHANGED, clock: at, name: '' }, allowed: false },
    { title: 'allowed for a member made admin', history: [...base, bobAdmin], by: 'bob', event: { type: T.NAME_CHANGED, clock: at, name: 'b' }, allowed: true }
  ],
  MEMBERS_ADDED: [
    { title: 'allowed for an admin', history: base, by: 'alice', event: { type: T.MEMBERS_ADDED, clock: at, members: [dave] }, allowed: true },
    { title: 'refused for a member who is not an admin', history: base, by: 'bob', event: { type: T.MEMBERS_ADDED, clock: at, members: [dave] }, allowed: false },
    { title: 'refused for an outsider', history: base, by: 'dave', event: { type: T.MEMBERS_ADDED, clock: at, members: [dave] }, allowed: false }
  ],
  MEMBER_JOINED: [
    { title: 'allowed for an invited member', history: base, by: 'carol', event: { type: T.MEMBER_JOINED, clock: at }, allowed: true },
    { title: 'allowed again for a member already joined', history: base, by: 'bob', event: { type: T.MEMBER_JOINED, clock: at }, allowed: true },
    { title: 'refused for an outsider', history: base, by: 'dave', event: { type: T.MEMBER_JOINED, clock: at }, allowed: false }
  ],
  MEMBER_REMOVED: [
    { title: 'allowed for a member removing themselves', history: base, by: 'bob', event: { type: T.MEMBER_REMOVED, clock: at, members: [bob] }, allowed: true },
    { title: 'allowed for an admin removing a non-admin', history: base, by: 'alice', event: { type: T.MEMBER_REMOVED, clock: at, members: [carol] }, allowed: true },
    { title: 'allowed for an admin leaving', history: [...base, bobAdmin], by: 'alice', event: { type: T.MEMBER_REMOVED, clock: at, members: [alice] }, allowed: true, ownId: bob },
    { title: 'refused for a non-admin removing someone else', history: base, by: 'bob', event: { type: T.MEMBER_REMOVED, clock: at, members: [carol] }, allowed: false },
    { title: 'refused for an admin removing another admin', history: [...base, bobAdmin], by: 'bob', event: { type: T.MEMBER_REMOVED, clock: at, members: [alice] }, allowed: false },
    { title: 'refused with two targets', history: base, by: 'alice', event: { type: T.MEMBER_REMOVED, clock: at, members: [bob, carol] }, allowed: false },
    { title: 'refused with no target', history: base, by: 'alice', event: { type: T.MEMBER_REMOVED, clock: at, members: [] }, allowed: false }
  ],
  ADMINS_ADDED: [
    { title: 'allowed for an admin naming a member', history: base, by: 'alice', event: { type: T.ADMINS_ADDED, clock: at, members: [bob] }, allowed: true },
    {
      title: 'allowed when only one target is a member (status-go stringSliceSubset quirk)',
      history: base,
      by: 'alice',
      event: { type: T.ADMINS_ADDED, clock: at, members: [dave, bob] },
      allowed: true
    },
    { title: 'refused for a non-admin', history: base, by: 'bob', event: { type: T.ADMINS_ADDED, clock: at, members: [carol] }, allowed: false },
    { title: 'refused when no target is a member', history: base, by: 'alice', event: { type: T.ADMINS_ADDED, clock: at, members: [dave] }, allowed: false },
    { title: 'refused with no targets', history: base, by: 'alice', event: { type: T.ADMINS_ADDED, clock: at, members: [] }, allowed: false }
  ],
  ADMIN_REMOVED: [
    { title: 'allowed for an admin stepping down', history: [...base, bobAdmin], by: 'alice', event: { type: T.ADMIN_REMOVED, clock: at, members: [alice] }, allowed: true },
    { title: 'refused for an admin removing another admin', history: [...base, bobAdmin], by: 'alice', event: { type: T.ADMIN_REMOVED, clock: at, members: [bob] }, allowed: false },
    { title: 'refused for a non-admin', history: base, by: 'bob', event: { type: T.ADMIN_REMOVED, clock: at, members: [bob] }, allowed: false },
    { title: 'refused with two targets', history: [...base, bobAdmin], by: 'alice', event: { type: T.ADMIN_REMOVED, clock: at, members: [alice, bob] }, allowed: false }
  ],
  UNKNOWN: [
    { title: 'type 0 refused', history: base, by: 'alice', event: { type: T.UNKNOWN, clock: at }, allowed: false },
    { title: 'type 8 refused', history: base, by: 'alice', event: { type: 8 as T, clock: at }, allowed: false }
  ]
}

describe('the event table (status-go validateEvent), every row allowed and refused', () => {
  for (const [type, rows] of Object.entries(table)) {
    for (const row of rows) {
      it(`${type}: ${row.title}`, () => {
        const event = sign(row.by, row.event)
        const before = row.history.length > 0 ? restoreGroup(groupId, row.history) : null
        if (before && !before.ok) throw new Error(before.detail)
        expect(eventRefusal(before?.state ?? null, event) === null).toBe(row.allowed)

        // Received in a message, one refused event rejects the whole history.
        const result = receive([...row.history, event], row.ownId ?? alice)
        const outcome = result.ok ? { events: result.state.events.length } : { reason: result.reason, eventIndex: result.eventIndex }
        expect(outcome).toEqual(
          row.allowed ? { events: row.history.length + 1 } : { reason: 'GROUP_EVENT_REFUSED', eventIndex: row.history.length }
        )
      })
    }
  }

  it('applies each change as status-go does', () => {
    const s = stateOf([...base, bobAdmin, sign('alice', { type: T.MEMBER_REMOVED, clock: 1004n, members: [carol] })])
    expect(s).toMatchObject({ name: 'g', creator: alice, members: [alice, bob], admins: [alice, bob], joined: [alice, bob], lastClock: 1004n })
    const left = stateOf([...s.events, sign('bob', { type: T.MEMBER_REMOVED, clock: 1005n, members: [bob] })])
    expect(left).toMatchObject({ members: [alice], admins: [alice], joined: [alice] })
    const stepped = stateOf([...base, bobAdmin, sign('alice', { type: T.ADMIN_REMOVED, clock: 1004n, members: [alice] })])
    expect(stepped).toMatchObject({ members: [alice, bob, carol], admins: [bob], joined: [alice, bob] })
    const quirk = stateOf([...base, sign('alice', { type: T.ADMINS_ADDED, clock: 1004n, members: [dave, bob] })])
    expect(quirk.admins).toEqual([alice, dave, bob])
    expect(quirk.members).not.toContain(dave)
  })
})

describe('receiving a MembershipUpdateMessage', () => {
  it('one invalid event rejects the whole message and leaves the stored group as it was', () => {
    const stored = stateOf([created, invited])
    const badRename = sign('bob', { type: T.NAME_CHANGED, clock: 1003n, name: 'mine' })
    const goodRename = sign('alice', { type: T.NAME_CHANGED, clock: 1004n, name: 'ok' })
    const result = receive([created, invited, bobJoined, badRename, goodRename], alice, stored)
    expect(result).toMatchObject({ ok: false, reason: 'GROUP_EVENT_REFUSED', eventIndex: 3 })
    expect(stored.events).toHaveLength(2)
    expect(stored.name).toBe('g')
  })

  it('merges with the stored history, deduplicating by signature, and reports only new events', () => {
    const stored = stateOf([created, invited])
    const result = receive([created, invited, bobJoined, bobJoined], alice, stored)
    if (!result.ok) throw new Error(result.detail)
    expect(result.created).toBe(false)
    expect(result.accepted).toHaveLength(1)
    expect(result.accepted[0]!.author).toBe(bob)
    expect(result.state.events.map((e) => bytesToHex(e.signature))).toEqual(base.map((e) => bytesToHex(e.signature)))
  })

  it('a new group keeps each event once even if the message repeats one', () => {
    const result = receive([created, invited, bobJoined, bobJoined], bob)
    if (!result.ok) throw new Error(result.detail)
    expect(result.created).toBe(true)
    expect(result.state.events).toHaveLength(3)
    expect(result.accepted).toEqual(result.state.events)
  })

  it('orders events by clock whatever order they arrive in, ties in arrival order', () => {
    const renameA = sign('alice', { type: T.NAME_CHANGED, clock: 1500n, name: 'A' })
    const renameB = sign('alice', { type: T.NAME_CHANGED, clock: 1500n, name: 'B' })
    const shuffled = stateOf([renameA, bobJoined, renameB, invited, created])
    expect(shuffled.events.map((e) => e.clock)).toEqual([1000n, 1001n, 1002n, 1500n, 1500n])
    expect(shuffled.name).toBe('B')
    expect(stateOf([created, invited, renameB, renameA]).name).toBe('A')
  })

  it('mergeEvents compares signatures only, as status-go’s Equal', () => {
    const lookalike: GroupEvent = { ...bobJoined, type: T.MEMBER_REMOVED, members: [bob] }
    expect(mergeEvents([bobJoined], [lookalike, created])).toEqual([bobJoined, created])
  })

  it('the merged history must be valid too', () => {
    // We know alice removed bob; bob's copy has him made admin before that, then renaming after it.
    const removed = sign('alice', { type: T.MEMBER_REMOVED, clock: 1500n, members: [bob] })
    const stored = stateOf([...base, removed])
    const rename = sign('bob', { type: T.NAME_CHANGED, clock: 1600n, name: 'bob’s' })
    const bobsView = [...base, sign('alice', { type: T.ADMINS_ADDED, clock: 1450n, members: [bob] }), rename]
    expect(receive(bobsView, bob).ok).toBe(true)
    expect(receive(bobsView, alice, stored)).toMatchObject({ ok: false, reason: 'GROUP_EVENT_REFUSED' })
  })

  it('an entry reusing a known signature over other bytes is recovered afresh and refused', () => {
    const stored = stateOf(base)
    const forged = new Uint8Array([...bobJoined.raw.subarray(0, 65), ...sign('bob', { type: T.NAME_CHANGED, clock: 1002n, name: 'x' }).raw.subarray(65)])
    const result = applyMembershipUpdate(stored, { chatId: groupId, events: [created.raw, invited.raw, forged] }, { ownId: alice, nowMs })
    expect(result.ok).toBe(false)
  })

  it('the future-clock rule: at most 120 s ahead of our clock, never zero', () => {
    const edge = sign('alice', { type: T.NAME_CHANGED, clock: BigInt(nowMs + 120_000), name: 'edge' })
    expect(receive([...base, edge]).ok).toBe(true)
    const ahead = sign('alice', { type: T.NAME_CHANGED, clock: BigInt(nowMs + 120_001), name: 'ahead' })
    expect(receive([...base, ahead])).toMatchObject({ ok: false, reason: 'CLOCK_TOO_HIGH', eventIndex: 3 })
    const zero = sign('alice', { type: T.CHAT_CREATED, clock: 0n, name: 'g' })
    expect(receive([zero])).toMatchObject({ ok: false, reason: 'CLOCK_ZERO', eventIndex: 0 })
  })

  it('a new group is accepted only if we are a member; a known group’s updates are, even after our removal', () => {
    expect(receive(base, dave)).toMatchObject({ ok: false, reason: 'GROUP_NOT_A_MEMBER' })
    // Listed, then removed: refused after the history is built.
    const daveGone = [created, sign('alice', { type: T.MEMBERS_ADDED, clock: 1001n, members: [dave] }), sign('alice', { type: T.MEMBER_REMOVED, clock: 1002n, members: [dave] })]
    expect(receive(daveGone, dave)).toMatchObject({ ok: false, reason: 'GROUP_NOT_A_MEMBER' })
    const carolsView = stateOf(base, carol)
    const kicked = sign('alice', { type: T.MEMBER_REMOVED, clock: 1100n, members: [carol] })
    const result = receive([...base, kicked], carol, carolsView)
    if (!result.ok) throw new Error(result.detail)
    expect(acceptsNewGroup(result.state, carol)).toBe(false)
    expect(result.state.members).toEqual([alice, bob])
  })

  it('refuses empty, over-long and mismatched updates', () => {
    expect(receive([])).toMatchObject({ ok: false, reason: 'GROUP_EVENTS_EMPTY' })
    expect(receive([], alice, stateOf(base))).toMatchObject({ ok: false, reason: 'GROUP_EVENTS_EMPTY' })
    const many = Array.from({ length: MAX_GROUP_EVENTS + 1 }, () => bobJoined)
    expect(receive(many)).toMatchObject({ ok: false, reason: 'GROUP_TOO_MANY_EVENTS' })
    const other = `6f1c5a2e-1d3b-4c8e-9a7f-000000000000-${alice}`
    expect(receive(base, alice, stateOf(base), other)).toMatchObject({ ok: false, reason: 'GROUP_ID_MISMATCH' })
  })

  it('a stranger’s history that never lists us is refused before any signature is recovered', () => {
    // Unrecoverable signatures everywhere: had they been recovered, the reason would be BAD_EVENT_SIGNATURE.
    const junk = base.map((e) => new Uint8Array([...new Uint8Array(65), ...e.raw.subarray(65)]))
    const result = applyMembershipUpdate(null, { chatId: groupId, events: junk }, { ownId: dave, nowMs })
    expect(result).toMatchObject({ ok: false, reason: 'GROUP_NOT_A_MEMBER' })
    expect(applyMembershipUpdate(null, { chatId: groupId, events: junk }, { ownId: bob, nowMs })).toMatchObject({
      ok: false,
      reason: 'BAD_EVENT_SIGNATURE',
      eventIndex: 0
    })
  })

  it('names the message’s broken entry', () => {
    const result = applyMembershipUpdate(null, { chatId: groupId, events: [created.raw, new Uint8Array(65), invited.raw] }, { ownId: alice, nowMs })
    expect(result).toMatchObject({ ok: false, reason: 'GROUP_EVENT_MALFORMED', eventIndex: 1 })
  })

  it(`refuses a group that grows past ${MAX_GROUP_SIZE} members`, () => {
    const crowd = (n: number) => Array.from({ length: n }, (_, i) => chatKeyId(publicKeyOf(privateKey(10 + i), false)))
    const full = sign('alice', { type: T.MEMBERS_ADDED, clock: 1001n, members: crowd(MAX_GROUP_SIZE - 1) })
    expect(stateOf([created, full]).members).toHaveLength(MAX_GROUP_SIZE)
    const more = sign('alice', { type: T.MEMBERS_ADDED, clock: 1002n, members: [dave] })
    expect(receive([created, full, more])).toMatchObject({ ok: false, reason: 'GROUP_TOO_LARGE', eventIndex: 2 })
  })
})

describe('the chat-id rule', () => {
  it('accepts any id that ends with the creator’s key and is more than it (status-go validateChatID)', () => {
    for (const chatId of [`not-a-uuid-${alice}`, `x${alice}`]) {
      const first = sign('alice', { type: T.CHAT_CREATED, clock: 1000n, name: 'g' }, chatId)
      expect(receive([first], alice, null, chatId).ok).toBe(true)
    }
  })

  it('refuses an id naming someone else, the bare key, an empty or over-long id', () => {
    const cases: [string, string][] = [
      [`6f1c5a2e-1d3b-4c8e-9a7f-0b2d4e6f8a1c-${bob}`, bob],
      [alice, alice],
      ['', alice],
      [`${'a'.repeat(MAX_GROUP_ID_LENGTH)}-${alice}`, alice]
    ]
    for (const [chatId, ownId] of cases) {
      const first = sign('alice', { type: T.CHAT_CREATED, clock: 1000n, name: 'g' }, chatId || 'x')
      expect(receive([first], ownId, null, chatId), chatId).toMatchObject({ ok: false, reason: 'GROUP_ID_INVALID' })
    }
  })

  it('refuses a history whose earliest event is not CHAT_CREATED', () => {
    // A self-removal passes the table on an empty group, but then there is no creator.
    const early = sign('alice', { type: T.MEMBER_REMOVED, clock: 999n, members: [alice] })
    expect(receive([created, early])).toMatchObject({ ok: false, reason: 'GROUP_ID_INVALID' })
  })
})

describe('predicates', () => {
  const state = stateOf(base)

  it('a group chat message is shown only when both its author and we have joined', () => {
    expect(mayShowGroupMessage(state, bob, alice)).toBe(true)
    expect(mayShowGroupMessage(state, carol, alice)).toBe(false)
    expect(mayShowGroupMessage(state, alice, carol)).toBe(false)
    expect(mayShowGroupMessage(state, dave, alice)).toBe(false)
  })

  it('invitations, admins, new-group acceptance and recipients', () => {
    expect(isInvited(state, carol)).toBe(true)
    expect(isInvited(state, bob)).toBe(false)
    expect(isGroupAdmin(state, alice)).toBe(true)
    expect(acceptsNewGroup(state, carol)).toBe(true)
    expect(acceptsNewGroup(state, dave)).toBe(false)
    expect(groupRecipients(state, alice)).toEqual([bob, carol])
    expect(groupRecipients(state, bob, [dave])).toEqual([alice, carol, dave])
  })

  it('restoreGroup rebuilds a stored group without changing it', () => {
    const restored = restoreGroup(groupId, state.events)
    expect(restored).toEqual({ ok: true, state })
  })
})
