import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Message } from '../../../shared/api'
import { silentLogger } from '../log/logger'
import { secureRandom } from '../primitives/secp256k1'
import { chatKeyId } from '../protocol/chat-matching'
import { ChatMessage_ContentType } from '../protocol/gen/protobuf/chat_message_pb'
import { changeGroup, createGroup, encodeGroupMessage, type GroupMessageContent } from '../protocol/group-changes'
import { encodeMembershipUpdate, GroupEventType, signGroupEvent } from '../protocol/group-events'
import { MAX_GROUP_INVITATIONS } from '../protocol/group-limits'
import type { GroupState } from '../protocol/group-state'
import { readInbound } from '../protocol/inbound'
import { DropCounter } from '../protocol/validation'
import { MessageKind, wrapMessage } from '../protocol/wrapper'
import { systemTimers } from '../runtime/timers'
import { EncryptedStore } from '../storage/encrypted-store'
import { testRecordKeys } from '../testing/messenger-parts'
import { ChangeFeed } from './change-feed'
import { ChatList } from './chat-list'
import { ContactBook } from './contact-book'
import { ContactsService } from './contacts-service'
import type { MessengerContext } from './context'
import type { DirectSender } from './direct-sender'
import { GROUP_UPDATE_BUDGET, GroupService } from './group-service'
import { GroupStore } from './group-store'
import { HistoryStore } from './history-store'
import { Outbox } from './outbox'
import { SeenIds } from './seen-ids'
import { Transaction } from './transaction'

/*
 * Private groups attacked by strangers: anyone who knows our chat key can make a group that lists us and
 * send it over a 1:1 channel, from as many fresh keys as they like.
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
const keys = testRecordKeys()
let dir: string
let store: EncryptedStore
let us: Who
let service: GroupService
let drops: DropCounter
let chats: ChatList
let groups: GroupStore

const blocked = new Set<string>()

async function open(budget: typeof GROUP_UPDATE_BUDGET = GROUP_UPDATE_BUDGET): Promise<void> {
  chats = await ChatList.load(store, keys)
  groups = await GroupStore.load(store, keys)
  const loading = new Transaction()
  const seen = await SeenIds.load(store, keys, loading, NOW)
  await loading.commit(store)
  const ctx: MessengerContext = {
    store,
    sessions: null as never,
    identity: { privateKey: us.privateKey, publicKey: secp256k1.getPublicKey(us.privateKey, false) },
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
  service = new GroupService(ctx, groups, { feed, direct: {} as DirectSender, contacts, isBlocked: (id) => blocked.has(id) }, budget)
  drops = new DropCounter()
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hush-group-attack-'))
  store = await EncryptedStore.open(dir, new Uint8Array(32).fill(7))
  us = person()
  await open()
})
afterEach(async () => {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
})

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
const text = (t: string, more: Partial<GroupMessageContent> = {}): GroupMessageContent => ({
  clock: ++clock,
  timestamp: clock,
  text: t,
  contentType: ChatMessage_ContentType.TEXT_PLAIN,
  ...more
})

function newGroup(creator: Who, members: string[]): GroupState {
  const made = createGroup({ name: 'Free stuff', members, creatorKey: creator.privateKey, clock: (clock += 10n), random: secureRandom })
  if (!made.ok) throw new Error(made.detail)
  return made.state
}

function change(state: GroupState, who: Who, c: Parameters<typeof changeGroup>[1]): GroupState {
  const result = changeGroup(state, c, who.privateKey, (clock += 10n))
  if (!result.ok) throw new Error(result.detail)
  return result.state
}

const groupChats = () => chats.all().filter((chat) => chat.kind === 'group')

describe('private groups under attack', () => {
  it('strangers with fresh keys cannot add invitations without limit, and an invitation we joined still takes updates', async () => {
    const friend = person()
    let ours = change(newGroup(friend, [us.id]), us, { kind: 'join' })
    await receive(friend, encodeGroupMessage(ours))
    for (let n = 0; n < MAX_GROUP_INVITATIONS + 5; n++) {
      const spammer = person()
      await receive(spammer, encodeGroupMessage(newGroup(spammer, [us.id]), text(`buy now ${n}`)))
    }
    expect(groupChats().length).toBe(1 + MAX_GROUP_INVITATIONS)
    expect(drops.count('GROUP_INVITATION_LIMIT')).toBe(5)

    // A group we joined is not held back by the flood.
    ours = change(ours, friend, { kind: 'rename', name: 'Still here' })
    await receive(friend, encodeGroupMessage(ours))
    expect(chats.get(ours.id)?.group?.name).toBe('Still here')
  })

  it('an invitation withdrawn before we joined still counts: inviting and removing us in turn fills nothing', async () => {
    for (let n = 0; n < MAX_GROUP_INVITATIONS + 3; n++) {
      const sly = person()
      const invited = newGroup(sly, [us.id])
      await receive(sly, encodeGroupMessage(invited))
      await receive(sly, encodeGroupMessage(change(invited, sly, { kind: 'remove-member', member: us.id })))
    }
    expect(groupChats().length).toBe(MAX_GROUP_INVITATIONS)
    // The last three invitations, and their removals (groups new to us as well).
    expect(drops.count('GROUP_INVITATION_LIMIT')).toBe(6)
  })

  it('strangers with fresh keys share one budget for the signatures of groups new to us', async () => {
    await open({ ...GROUP_UPDATE_BUDGET, newGroupEvents: { perSecond: 0, burst: 10 } })
    // Histories that list us but are refused (a rename by a non-admin): never stored, so never an invitation.
    for (let n = 0; n < 5; n++) {
      const stranger = person()
      const accomplice = person()
      const group = newGroup(stranger, [us.id, accomplice.id])
      const refused = signGroupEvent(group.id, { type: GroupEventType.NAME_CHANGED, clock: (clock += 10n), name: 'x' }, accomplice.privateKey)
      await receive(stranger, encodeMembershipUpdate(group.id, [...group.events, refused]))
    }
    // 3 events each: the first three cost 9 of the 10 signatures, the others are refused before any recovery.
    expect(drops.count('GROUP_EVENT_REFUSED')).toBe(3)
    expect(drops.count('GROUP_UPDATE_RATE_LIMITED')).toBe(2)
  })

  it('keeps no budget for every key that ever sent an update', async () => {
    await open({ ...GROUP_UPDATE_BUDGET, senders: 8 })
    for (let n = 0; n < 40; n++) {
      const stranger = person()
      // A group that does not list us: refused, but it cost its sender a token.
      await receive(stranger, encodeGroupMessage(newGroup(stranger, [person().id])))
    }
    expect(drops.count('GROUP_NOT_A_MEMBER')).toBe(40)
    const tracked = (service as unknown as { budgets: Map<string, unknown> }).budgets.size
    expect(tracked).toBeLessThanOrEqual(8)
  })

  it('a blocked member’s group message is not taken when another key carries it', async () => {
    const friend = person()
    const pest = person()
    let group = change(newGroup(friend, [us.id, pest.id]), us, { kind: 'join' })
    group = change(group, pest, { kind: 'join' })
    await receive(friend, encodeGroupMessage(group))
    blocked.add(pest.id)
    // receive() reads the wrapper's author, as the receiver does for an envelope signed by any other key.
    expect(await receive(pest, encodeGroupMessage(group, text('you cannot block me')))).toEqual([])
    expect(drops.count('GROUP_AUTHOR_BLOCKED')).toBe(1)
    expect((await receive(friend, encodeGroupMessage(group, text('hello')))).map((m) => m.text)).toEqual(['hello'])
  })

  it('a reply field that is not a message id is not kept (as in 1:1 and public chats)', async () => {
    const friend = person()
    const group = change(newGroup(friend, [us.id]), us, { kind: 'join' })
    const shown = await receive(friend, encodeGroupMessage(group, text('look', { responseTo: 'not an id at all' })))
    const message = shown.find((m) => m.text === 'look')
    expect(message).toBeDefined()
    expect(message).not.toHaveProperty('responseTo')
  })
})
