import { describe, expect, it } from 'vitest'
import type { Chat, Message } from '../../../shared/api'
import { Person, startRelay, until, value } from '../../../../test/support/core-people'

/*
 * Private groups through the API between real cores on one relay (test/support/core-people.ts): every
 * group message travels as a MembershipUpdateMessage over each member's 1:1 channel. "Not shown" is
 * checked once a later message from the same sender has arrived (one serial queue per receiver).
 */

const lines = (p: Person, chatId: string) => p.upserts.filter((m) => m.chatId === chatId && m.system).map((m) => m.system!.code)
const texts = (p: Person, chatId: string) => p.upserts.filter((m) => m.chatId === chatId && !m.system && m.status === 'received')
const chatOf = async (p: Person, id: string): Promise<Chat | undefined> => (await value(p.client.call('chats.list', {}))).find((c) => c.id === id)

async function invited(p: Person, id: string): Promise<void> {
  await until(() => lines(p, id).includes('group.created'))
}

describe('private groups', () => {
  it('create, join, talk in order, add a member who sees only what follows, remove one who stops receiving, admins rename', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay, 'Alice')
    const bob = await Person.join(relay, 'Bob')
    const carol = await Person.join(relay, 'Carol')
    const dave = await Person.join(relay, 'Dave')

    const group = await value(alice.client.call('groups.create', { name: 'Hikers', members: [bob.publicKey, carol.publicKey] }))
    expect(group).toMatchObject({ kind: 'group', name: 'Hikers', group: { memberCount: 3, admin: true, invited: false, left: false } })
    expect(group.id.endsWith(`-${alice.publicKey}`)).toBe(true)
    const id = group.id

    for (const p of [bob, carol]) await invited(p, id)
    expect(await chatOf(bob, id)).toMatchObject({ kind: 'group', name: 'Hikers', group: { invited: true, invitedBy: alice.publicKey, memberCount: 3 } })
    const invitation = await value(bob.client.call('groups.info', { chatId: id }))
    expect(invitation.invitedBy?.publicKey).toBe(alice.publicKey)
    expect(invitation.members.map((m) => [m.contact.publicKey, m.admin, m.joined])).toEqual([
      [alice.publicKey, true, true],
      [bob.publicKey, false, false],
      [carol.publicKey, false, false]
    ])
    // Invited is not joined: nothing can be written yet.
    expect(await bob.client.call('messages.send', { chatId: id, text: 'too early' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })

    for (const p of [bob, carol]) await value(p.client.call('groups.accept', { chatId: id }))
    await until(() => lines(alice, id).filter((c) => c === 'group.member-joined').length === 2)

    const sent: Message[] = []
    for (const [i, p] of [alice, bob, carol, alice].entries()) {
      sent.push(await value(p.client.call('messages.send', { chatId: id, text: `m${i}` })))
      for (const other of [alice, bob, carol]) if (other !== p) await until(() => texts(other, id).some((m) => m.text === `m${i}`))
    }
    for (const p of [alice, bob, carol]) {
      const window = await value(p.client.call('history.read', { chatId: id, range: { lower: null, upper: null }, limit: 100 }))
      const talk = window.messages.filter((m) => !m.system)
      expect(talk.map((m) => [m.text, m.author.publicKey])).toEqual([
        ['m0', alice.publicKey],
        ['m1', bob.publicKey],
        ['m2', carol.publicKey],
        ['m3', alice.publicKey]
      ])
    }
    // Delivered means every member's node acknowledged it.
    await until(() => alice.upserts.some((m) => m.id === sent[0]!.id && m.status === 'delivered'))
    expect(alice.upserts.filter((m) => m.id === sent[0]!.id).at(-1)?.delivery).toEqual({ delivered: 2, total: 2 })
    // A reply quotes a message of this group that this computer holds, or is refused with the reason.
    const unknown = `0x${'ab'.repeat(32)}`
    expect(await alice.client.call('messages.send', { chatId: id, text: 'x', responseTo: unknown })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', reason: { reason: 'REPLY_NOT_FOUND' } }
    })

    // Dave: invited, not shown what is said before he joins, shown what follows.
    await value(alice.client.call('groups.addMembers', { chatId: id, members: [dave.publicKey] }))
    await invited(dave, id)
    await value(alice.client.call('messages.send', { chatId: id, text: 'before dave' }))
    await until(() => texts(bob, id).some((m) => m.text === 'before dave'))
    await value(dave.client.call('groups.accept', { chatId: id }))
    await until(() => lines(alice, id).filter((c) => c === 'group.member-joined').length === 3)
    await value(alice.client.call('messages.send', { chatId: id, text: 'after dave' }))
    await until(() => texts(dave, id).some((m) => m.text === 'after dave'))
    expect(texts(dave, id).map((m) => m.text)).toEqual(['after dave'])
    expect((await value(dave.client.call('debug.drops', {}))).GROUP_MEMBERSHIP_NOT_JOINED).toBeGreaterThanOrEqual(1)

    // Carol removed: told so, and nothing after reaches her.
    await value(alice.client.call('groups.removeMember', { chatId: id, member: carol.publicKey }))
    await until(() => lines(carol, id).includes('group.member-removed'))
    expect(await chatOf(carol, id)).toMatchObject({ group: { left: true } })
    expect(await carol.client.call('messages.send', { chatId: id, text: 'still here?' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    const afterCarol = await value(alice.client.call('messages.send', { chatId: id, text: 'after carol' }))
    expect(afterCarol.delivery).toEqual({ delivered: 0, total: 2 })
    await until(() => texts(bob, id).some((m) => m.text === 'after carol') && texts(dave, id).some((m) => m.text === 'after carol'))
    await until(() => alice.upserts.some((m) => m.id === afterCarol.id && m.status === 'delivered'))
    expect(texts(carol, id).some((m) => m.text === 'after carol')).toBe(false)

    // Only admins rename.
    expect(await bob.client.call('groups.rename', { chatId: id, name: 'Bob’s' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', details: ['NOT_ALLOWED'] }
    })
    await value(alice.client.call('groups.makeAdmin', { chatId: id, member: bob.publicKey }))
    await until(() => lines(bob, id).includes('group.admin-added'))
    expect(await value(bob.client.call('groups.rename', { chatId: id, name: 'Summit' }))).toMatchObject({ name: 'Summit', admin: true })
    await until(() => lines(alice, id).includes('group.renamed') && lines(dave, id).includes('group.renamed'))
    expect(await chatOf(alice, id)).toMatchObject({ name: 'Summit' })
    expect(await chatOf(dave, id)).toMatchObject({ name: 'Summit' })
  })

  it('keeps groups across a relock, a declined invitation removes the chat and tells the others', async () => {
    const relay = await startRelay()
    const alice = await Person.join(relay)
    const bob = await Person.join(relay)
    const carol = await Person.join(relay)
    const { id } = await value(alice.client.call('groups.create', { name: 'Book club', members: [bob.publicKey, carol.publicKey] }))
    await invited(carol, id)
    await value(carol.client.call('groups.decline', { chatId: id }))
    expect(await chatOf(carol, id)).toBeUndefined()
    await until(() => lines(alice, id).includes('group.member-left'))
    expect(await value(alice.client.call('groups.info', { chatId: id }))).toMatchObject({ members: [{ self: true }, { contact: { publicKey: bob.publicKey } }] })

    const account = (await value(alice.client.call('accounts.current', {})))!
    await value(alice.client.call('accounts.lock', {}))
    await value(alice.client.call('accounts.unlock', { id: account.id, password: 'pw' }))
    expect(await chatOf(alice, id)).toMatchObject({ name: 'Book club', group: { memberCount: 2, admin: true } })
    expect(await value(alice.client.call('groups.rename', { chatId: id, name: 'Books' }))).toMatchObject({ name: 'Books' })

    // We are in our own group already.
    expect(await alice.client.call('groups.create', { name: 'x', members: [alice.publicKey] })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
  })
})
