import type { Page } from '@playwright/test'
import { connectApi } from './fixtures/api'
import { type AppInstance, expect, test } from './fixtures/app'
import { conversation, openChat, sendMessage, startChat, waitForPeers } from './fixtures/chats'
import { type CreatedIdentity, createIdentity, unlock } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

const passwordOf = (person: AppInstance) => `pass-${person.name}-42`

async function openGroupInfo(page: Page): Promise<void> {
  await page.getByTestId('group-info-open').click()
  await expect(page.getByTestId('group-info')).toBeVisible()
}

async function closeDialog(page: Page): Promise<void> {
  await page.getByTestId('group-info').getByRole('button', { name: 'Close' }).click()
  await expect(page.getByTestId('group-info')).toBeHidden()
}

function member(page: Page, who: CreatedIdentity) {
  return page.getByTestId('group-info').locator(`[data-testid="group-member"][data-key="${who.publicKey}"]`)
}

/** Opens an invitation from the chat list and joins. */
async function join(page: Page, group: string): Promise<void> {
  await page.getByTestId('chat-list-item').filter({ hasText: group }).click()
  await expect(page.getByTestId('group-invitation')).toBeVisible({ timeout: 30_000 })
  await page.getByTestId('group-join').click()
  await expect(page.getByTestId('group-invitation')).toBeHidden({ timeout: 30_000 })
}

test('a private group of four: invitations, ordered messages, late joiner, removal, admin-only rename, offline catch-up', async ({ launch, relay }) => {
  test.setTimeout(600_000)
  const people: AppInstance[] = []
  const ids: CreatedIdentity[] = []
  for (const name of ['alice', 'bob', 'carol', 'dave']) {
    const person = await launch({ name, staticPeers: [relay.enode], mailservers: [relay.enode] })
    ids.push(await createIdentity(person.page, passwordOf(person)))
    people.push(person)
  }
  const [alice, bob, carol, dave] = people as [AppInstance, AppInstance, AppInstance, AppInstance]
  const [aliceId, bobId, carolId, daveId] = ids as [CreatedIdentity, CreatedIdentity, CreatedIdentity, CreatedIdentity]
  for (const person of people) await waitForPeers(person.page, 1)
  for (const who of [bobId, carolId, daveId]) await startChat(alice.page, who.publicKey)

  // Alice creates the group from her contacts.
  await alice.page.getByTestId('new-group').click()
  await alice.page.getByTestId('group-name').fill('Hikers')
  for (const who of [bobId, carolId]) await alice.page.locator(`[data-testid="contact-pick"][data-key="${who.publicKey}"]`).check()
  await alice.page.getByTestId('group-create').click()
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('Hikers')
  await expect(alice.page.getByTestId('group-member-count')).toHaveText('3 members')

  // Bob and Carol see who invited them and who is in it, and join.
  await bob.page.getByTestId('chat-list-item').filter({ hasText: 'Hikers' }).click()
  await expect(bob.page.getByTestId('invitation-title')).toContainText(aliceId.alias, { timeout: 30_000 })
  await expect(bob.page.getByTestId('group-invitation').getByTestId('group-member')).toHaveCount(3)
  await snap(bob.page, 'group-invitation')
  await bob.page.getByTestId('group-join').click()
  await expect(bob.page.getByTestId('group-invitation')).toBeHidden({ timeout: 30_000 })
  await join(carol.page, 'Hikers')
  await expect(alice.page.getByTestId('system-line').filter({ hasText: 'joined the group' })).toHaveCount(2, { timeout: 30_000 })

  const said: Array<[number, string]> = [
    [0, 'Morning, hikers'],
    [1, 'Bob here, boots on'],
    [2, 'Carol: the trail is muddy'],
    [0, 'Then we take the ridge']
  ]
  const expected: Array<[string, string]> = []
  for (const [who, text] of said) {
    await sendMessage((people[who] as AppInstance).page, text)
    expected.push([(ids[who] as CreatedIdentity).alias, text])
    for (const person of [alice, bob, carol]) await expect.poll(() => conversation(person.page), { timeout: 30_000 }).toEqual(expected)
  }
  await expect(alice.page.getByTestId('timeline').getByTestId('delivery-state').first()).toHaveAttribute('aria-label', 'Delivered', { timeout: 60_000 })

  // Dave is added, and sees only what is said after he joined.
  await openGroupInfo(alice.page)
  await alice.page.getByTestId('group-info').locator(`[data-testid="contact-pick"][data-key="${daveId.publicKey}"]`).check()
  await alice.page.getByTestId('group-add').click()
  await expect(member(alice.page, daveId)).toBeVisible()
  await closeDialog(alice.page)
  await sendMessage(alice.page, 'Dave is invited but not in yet')
  await join(dave.page, 'Hikers')
  await expect(alice.page.getByTestId('system-line').filter({ hasText: 'joined the group' })).toHaveCount(3, { timeout: 30_000 })
  await sendMessage(alice.page, 'Welcome, Dave')
  await expect.poll(() => conversation(dave.page), { timeout: 30_000 }).toEqual([[aliceId.alias, 'Welcome, Dave']])

  // Carol is removed and hears nothing after.
  await openGroupInfo(alice.page)
  await member(alice.page, carolId).getByTestId('group-remove').click()
  await expect(member(alice.page, carolId)).toBeHidden()
  await closeDialog(alice.page)
  await expect(carol.page.getByTestId('group-left')).toBeVisible({ timeout: 30_000 })
  await sendMessage(alice.page, 'Carol has left us')
  for (const person of [bob, dave]) await expect.poll(async () => (await conversation(person.page)).at(-1), { timeout: 30_000 }).toEqual([aliceId.alias, 'Carol has left us'])
  expect((await conversation(carol.page)).map(([, text]) => text)).not.toContain('Carol has left us')
  const carolApi = await connectApi(carol.apiUrl() as string)
  const chats = await carolApi.client.call('chats.list', {})
  if (!chats.ok) throw new Error(chats.error.message)
  const groupId = chats.value.find((c) => c.kind === 'group')?.id ?? ''
  const carolHistory = await carolApi.client.call('history.read', { chatId: groupId, range: { lower: null, upper: null }, limit: 1_000 })
  carolApi.close()
  if (!carolHistory.ok) throw new Error(carolHistory.error.message)
  expect(carolHistory.value.messages.some((m) => m.text === 'Carol has left us')).toBe(false)

  // Bob may not rename: the panel offers no rename to a non-admin, and main refuses it.
  await openGroupInfo(bob.page)
  await expect(bob.page.getByTestId('group-rename')).toHaveCount(0)
  await closeDialog(bob.page)
  const bobApi = await connectApi(bob.apiUrl() as string)
  expect(await bobApi.client.call('groups.rename', { chatId: groupId, name: 'Bob’s trail' })).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: ['NOT_ALLOWED'] } })
  bobApi.close()

  // Alice makes Bob an admin; then his rename goes through, everywhere.
  await openGroupInfo(alice.page)
  await member(alice.page, bobId).getByTestId('group-make-admin').click()
  await expect(member(alice.page, bobId).getByTestId('admin-mark')).toBeVisible()
  await snap(alice.page, 'group-info')
  await closeDialog(alice.page)
  await openGroupInfo(bob.page)
  await expect(bob.page.getByTestId('group-rename-input')).toBeVisible({ timeout: 30_000 })
  await bob.page.getByTestId('group-rename-input').fill('Summit')
  await bob.page.getByTestId('group-rename').click()
  await closeDialog(bob.page)
  for (const person of [alice, bob, dave]) await expect(person.page.getByTestId('conversation-title')).toHaveText('Summit', { timeout: 30_000 })
  await snap(alice.page, 'group-timeline')

  // Bob's host is down for two messages; after the restart he has each exactly once.
  await bob.stopHost()
  const away = ['While Bob is away (1)', 'While Bob is away (2)']
  for (const text of away) await sendMessage(alice.page, text)
  await bob.restart()
  await unlock(bob.page, passwordOf(bob))
  await openChat(bob.page, 'Summit')
  await expect.poll(async () => (await conversation(bob.page)).slice(-2), { timeout: 90_000 }).toEqual(away.map((text) => [aliceId.alias, text]))
  const api = await connectApi(bob.apiUrl() as string)
  const history = await api.client.call('history.read', { chatId: groupId, range: { lower: null, upper: null }, limit: 1_000 })
  api.close()
  if (!history.ok) throw new Error(history.error.message)
  expect(away.map((text) => history.value.messages.filter((m) => m.text === text).length)).toEqual([1, 1])
})
