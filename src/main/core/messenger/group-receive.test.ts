import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/api'
import { silentLogger } from '../log/logger'
import { secureRandom } from '../primitives/secp256k1'
import { chatKeyId } from '../protocol/chat-matching'
import { ChatMessage_ContentType, ChatMessage_MessageType } from '../protocol/gen/protobuf/chat_message_pb'
import { changeGroup, createGroup, encodeGroupMessage, type GroupMessageContent } from '../protocol/group-changes'
import { encodeMembershipUpdate, GroupEventType, signGroupEvent } from '../protocol/group-events'
import type { GroupState } from '../protocol/group-state'
import { readInbound } from '../protocol/inbound'
import { DropCounter } from '../protocol/validation'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import { systemTimers } from '../runtime/timers'
import { EncryptedStore, putJson, type StoreError } from '../storage/encrypted-store'
import { ChangeFeed } from './change-feed'
import { ChatList } from './chat-list'
import { ContactBook } from './contact-book'
import { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import type { DirectSender } from './direct-sender'
import { GroupService } from './group-service'
import { GroupStore } from './group-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { HistoryStore } from './history-store'
import { Outbox } from './outbox'
import { SeenIds } from './seen-ids'
import { Transaction } from './transaction'

/*
 * The receive side of private groups on hostile input: each defence is attacked with a real signed update
 * read through readInbound exactly as the receiver does, and a good update after each attack still applies.
 */

interface Who {
  privateKey: Uint8Array
  id: string
}
function person(): Who {
  const privateKey = secp256k1.utils.randomSecretKey()
  return { privateKey, id: chatKeyId(secp256k1.getPublicKey(privateKey, false)) }
}

const NOW = 1_700_000_000_000
let dir: string
let store: EncryptedStore
let us: Who
let service: GroupService
let drops: DropCounter
let chats: ChatList
let groups: GroupStore
const keys = testRecordKeys()

async function open(budget = { perSecond: 0.5, burst: 30 }): Promise<void> {
  chats = await ChatList.load(store, keys)
  groups = await GroupStore.load(store, keys)
  const loading = new Transaction()
  const seen = await SeenIds.load(store, keys, loading, NOW)
  await loading.commit(store)
  const publicKey = secp256k1.getPublicKey(us.privateKey, false)
  const ctx: MessengerContext = {
    store,
    sessions: null as never,
    identity: { privateKey: us.privateKey, publicKey },
    ownKeyId: us.id,
    transport: null as never,
    chats,
    messages: new HistoryStore(store, keys),
    outbox: await Outbox.load(store, keys),
    seen,
    emit: () => undefined,
    log: silentLogger,
    now: () => NOW,
    timers: systemTimers,
    serial: (task) => task(),
    stopped: () => false
  }
  const feed = new ChangeFeed(ctx)
  const contacts = new ContactsService(ctx, await ContactBook.load(store, keys), '', (id, tx) => ctx.chats.get(id, tx) !== undefined)
  // Receiving sends nothing: the sender is not part of this path.
  service = new GroupService(ctx, groups, { feed, direct: {} as DirectSender, contacts }, budget)
  drops = new DropCounter()
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-group-rx-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(7))
  us = person()
  await open()
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

/** What `from` sends: the update (history + optional text) as wrapper bytes, read like the receiver reads it. */
async function receive(from: Who, payload: Uint8Array): Promise<Message[]> {
  const wrapper = wrapMessage(payload, MessageKind.MEMBERSHIP_UPDATE_MESSAGE, from.privateKey)
  const result = readInbound(wrapper, { whisperTimestampMs: NOW, nowMs: NOW }, drops)
  if (!result.ok || result.payload.kind !== MessageKind.MEMBERSHIP_UPDATE_MESSAGE) throw new Error('not a membership update')
  const tx = new Transaction()
  const shown = service.receive(tx, result.envelope, result.payload.message, result.payload.chatMessage, drops)
  await tx.commit(store)
  return shown
}

let clock = BigInt(NOW - 60_000)
const text = (t: string): GroupMessageContent => ({ clock: ++clock, timestamp: clock, text: t, contentType: ChatMessage_ContentType.TEXT_PLAIN })

function newGroup(creator: Who, members: string[]): GroupState {
  const made = createGroup({ name: 'Hikers', members, creatorKey: creator.privateKey, clock: (clock += 10n), random: secureRandom })
  if (!made.ok) throw new Error(made.detail)
  return made.state
}

function change(state: GroupState, who: Who, c: Parameters<typeof changeGroup>[1]): GroupState {
  const result = changeGroup(state, c, who.privateKey, (clock += 10n))
  if (!result.ok) throw new Error(result.detail)
  return result.state
}

describe('receiving private group updates', () => {
  it('accepts a group that lists us as an invitation with one line per event, and shows messages only once both have joined', async () => {
    const alice = person()
    const group = newGroup(alice, [us.id])
    const shown = await receive(alice, encodeGroupMessage(group, text('hello before you join')))
    expect(shown.map((m) => m.system?.code)).toEqual(['group.created', 'group.member-added'])
    expect(chats.get(group.id)).toMatchObject({ kind: 'group', group: { invited: true, invitedBy: alice.id, name: 'Hikers' } })
    expect(drops.count('GROUP_MEMBERSHIP_NOT_JOINED')).toBe(1)

    const joined = change(group, us, { kind: 'join' })
    expect(await receive(alice, encodeGroupMessage(joined, text('welcome')))).toMatchObject([{ system: { code: 'group.member-joined' } }, { text: 'welcome' }])
    // The same history again adds no lines; the same message again is not shown twice.
    const again = encodeGroupMessage(joined, text('once'))
    expect((await receive(alice, again)).map((m) => m.text)).toEqual(['once'])
    expect(await receive(alice, again)).toEqual([])

    // It survives a restart from the store, checked on the way in.
    await open()
    expect(groups.get(group.id)?.joined).toEqual([alice.id, us.id])

    // A record that does not parse, or whose history does not rebuild, is left out and reported, never half a group.
    for (const bad of [{ id: group.id, events: [] }, { id: group.id, events: [{ raw: 'zz', author: alice.id }] }, { id: 'x', events: joined.events.map((e) => ({ raw: bytesToHex(e.raw), author: e.author })) }]) {
      await store.batch([putJson(keys.group(group.id), bad)])
      const reported: StoreError[] = []
      expect((await GroupStore.load(store, keys, (error) => reported.push(error))).get(group.id)).toBeUndefined()
      expect(reported.map((error) => error.code)).toEqual(['VALUE_CORRUPT'])
      await expect(GroupStore.load(store, keys)).rejects.toMatchObject({ code: 'VALUE_CORRUPT' })
    }
  })

  it('refuses and counts a group that does not list us, a bad signature, a non-admin rename and a malformed creator key, then takes a good update', async () => {
    const alice = person()
    const mallory = person()
    await receive(alice, encodeGroupMessage(newGroup(alice, [mallory.id])))
    expect(drops.count('GROUP_NOT_A_MEMBER')).toBe(1)

    const group = newGroup(alice, [us.id, mallory.id])
    const forged = group.events.map((e) => e.raw.slice())
    forged[1]![10]! ^= 1
    await receive(alice, encodeMembershipUpdate(group.id, group.events.map((e, i) => ({ ...e, raw: forged[i]! }))))
    expect(drops.count('BAD_EVENT_SIGNATURE') + drops.count('GROUP_EVENT_REFUSED') + drops.count('GROUP_NOT_A_MEMBER')).toBe(2)
    expect(chats.get(group.id)).toBeUndefined()

    // Mallory, a member but no admin, renames it: the whole message goes, its text included.
    const rename = signGroupEvent(group.id, { type: GroupEventType.NAME_CHANGED, clock: (clock += 10n), name: 'Mallory’s' }, mallory.privateKey)
    expect(await receive(mallory, encodeMembershipUpdate(group.id, [...group.events, rename], { ...text('hi'), chatId: group.id, messageType: ChatMessage_MessageType.PRIVATE_GROUP }))).toEqual([])
    expect(drops.count('GROUP_EVENT_REFUSED')).toBeGreaterThanOrEqual(1)
    expect(chats.get(group.id)).toBeUndefined()

    // Properly signed events of a group whose id does not end with its creator's key.
    const bogusId = group.id.slice(0, -4) + 'abcd'
    const bogus = [
      signGroupEvent(bogusId, { type: GroupEventType.CHAT_CREATED, clock: (clock += 10n), name: 'x' }, alice.privateKey),
      signGroupEvent(bogusId, { type: GroupEventType.MEMBERS_ADDED, clock: (clock += 10n), members: [us.id] }, alice.privateKey)
    ]
    await receive(alice, encodeMembershipUpdate(bogusId, bogus))
    expect(drops.count('GROUP_ID_INVALID')).toBe(1)
    expect(chats.get(bogusId)).toBeUndefined()

    expect((await receive(alice, encodeGroupMessage(group))).map((m) => m.system?.code)).toEqual(['group.created', 'group.member-added'])
    expect(chats.get(group.id)?.group?.name).toBe('Hikers')
  })

  it('rate-limits one sender’s new membership events, while messages over a known history still arrive', async () => {
    await open({ perSecond: 0, burst: 2 })
    const alice = person()
    let group = newGroup(alice, [us.id])
    await receive(alice, encodeGroupMessage(group))
    group = change(group, us, { kind: 'join' })
    group = change(group, alice, { kind: 'rename', name: 'One' })
    await receive(alice, encodeGroupMessage(group))
    group = change(group, alice, { kind: 'rename', name: 'Two' })
    expect(await receive(alice, encodeGroupMessage(group))).toEqual([])
    expect(drops.count('GROUP_UPDATE_RATE_LIMITED')).toBe(1)
    expect(chats.get(group.id)?.group?.name).toBe('One')

    // Messages over the known history cost no signature recovery and no budget.
    const known = groups.get(group.id)!
    expect((await receive(alice, encodeGroupMessage(known, text('still talking')))).map((m) => m.text)).toEqual(['still talking'])
  })
})
