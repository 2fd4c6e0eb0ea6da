import type { Page } from '@playwright/test'
import { type AppInstance, expect, test } from './fixtures/app'
import { joinPublicChat, messages, openChat, request, sendMessage, startChat, waitForPeers } from './fixtures/chats'
import { createIdentity } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

const passwordOf = (person: AppInstance) => `pass-${person.name}-42`

function chatRow(page: Page, title: string) {
  return page.getByTestId('chat-list-item').filter({ has: page.getByTestId('chat-name').getByText(title, { exact: true }) })
}

function shownTexts(page: Page) {
  return messages(page).getByTestId('message-text')
}

async function search(page: Page, query: string) {
  await page.getByTestId('open-search').click()
  await page.getByTestId('search-input').fill(query)
}

test('requests (accept, delete, block), a blocked public-chat author hidden, a muted chat without badge, search in a URL and in Arabic', async ({ launch, relay }) => {
  test.setTimeout(360_000)
  const alice = await launch({ name: 'alice', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const aliceId = await createIdentity(alice.page, passwordOf(alice), { name: 'Alice' })
  const bob = await launch({ name: 'bob', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const bobId = await createIdentity(bob.page, passwordOf(bob), { name: 'Bob' })
  const carol = await launch({ name: 'carol', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const carolId = await createIdentity(carol.page, passwordOf(carol), { name: 'Carol' })
  for (const person of [alice, bob, carol]) await waitForPeers(person.page, 1)
  for (const person of [alice, bob, carol]) await joinPublicChat(person.page, 'hush-social')
  await sendMessage(carol.page, 'carol was here first')
  await expect(shownTexts(alice.page).filter({ hasText: 'carol was here first' })).toBeVisible({ timeout: 30_000 })

  // Bob writes 1:1: a request, not a chat, until Alice accepts it.
  await startChat(bob.page, aliceId.publicKey)
  await sendMessage(bob.page, 'Hello Alice, Bob here')
  await expect(alice.page.getByTestId('open-requests')).toHaveText('1 message request', { timeout: 60_000 })
  await expect(chatRow(alice.page, bobId.alias)).toHaveCount(0)
  await alice.page.getByTestId('open-requests').click()
  await expect(request(alice.page, bobId.alias).getByTestId('request-preview')).toHaveText('Hello Alice, Bob here')
  await snap(alice.page, 'requests')
  await request(alice.page, bobId.alias).getByRole('button', { name: 'Accept' }).click()
  await expect(alice.page.getByTestId('conversation-title')).toHaveText(bobId.alias)
  await expect(shownTexts(alice.page)).toHaveText(['Hello Alice, Bob here'])
  await expect(alice.page.getByTestId('open-requests')).toHaveCount(0)

  // Carol writes 1:1: deleted; she writes again: blocked. Her public message goes with the block.
  await startChat(carol.page, aliceId.publicKey)
  await sendMessage(carol.page, 'Buy my course')
  await alice.page.getByTestId('open-requests').click({ timeout: 30_000 })
  await request(alice.page, carolId.alias).getByRole('button', { name: 'Delete' }).click()
  await expect(alice.page.getByTestId('requests-empty')).toBeVisible()
  await sendMessage(carol.page, 'Really, buy it')
  await expect(request(alice.page, carolId.alias).getByTestId('request-preview')).toHaveText('Really, buy it', { timeout: 30_000 })
  await request(alice.page, carolId.alias).getByRole('button', { name: 'Block' }).click()
  await expect(alice.page.getByTestId('requests-empty')).toBeVisible()
  await openChat(alice.page, '#hush-social')
  await expect(shownTexts(alice.page).filter({ hasText: 'carol was here first' })).toHaveCount(0)
  await carol.page.getByTestId('chat-list-item').filter({ hasText: '#hush-social' }).click()
  await sendMessage(carol.page, 'carol after the block')
  await sendMessage(carol.page, 'https://example.com/carol-secret')
  await sendMessage(bob.page, 'hi alice')
  await bob.page.getByTestId('chat-list-item').filter({ hasText: '#hush-social' }).click()
  await sendMessage(bob.page, 'bob in public after the block')
  await expect(shownTexts(alice.page).filter({ hasText: 'bob in public after the block' })).toBeVisible({ timeout: 30_000 })
  await expect(shownTexts(alice.page).filter({ hasText: 'carol' })).toHaveCount(0)
  await alice.page.getByRole('button', { name: 'Settings' }).click()
  await expect(alice.page.getByTestId('blocked-row')).toHaveCount(1)
  await expect(alice.page.getByTestId('blocked-row')).toContainText(carolId.alias)

  // Muted: new public messages arrive without an unread badge.
  await openChat(alice.page, '#hush-social')
  await alice.page.getByTestId('mute-toggle').click()
  await expect(alice.page.getByTestId('mute-toggle')).toHaveText('Unmute')
  await alice.page.getByRole('button', { name: 'Settings' }).click()
  await sendMessage(bob.page, 'see https://example.com/reports/quarterly-figures.pdf')
  await sendMessage(bob.page, 'مرحبا بالعالم')
  const social = chatRow(alice.page, '#hush-social')
  await expect(social).toContainText('مرحبا بالعالم', { timeout: 30_000 })
  await expect(social.getByTestId('muted-mark')).toBeVisible()
  await expect(social.getByTestId('unread-badge')).toHaveCount(0)

  // Search: a word inside a URL, an Arabic word; a click opens the message in its chat.
  await search(alice.page, 'quarterly')
  const group = alice.page.getByTestId('search-group')
  await expect(group).toHaveCount(1)
  await expect(group.getByTestId('search-snippet')).toHaveText('see https://example.com/reports/quarterly-figures.pdf')
  await expect(group.locator('mark')).toHaveText('quarterly')
  await snap(alice.page, 'search')
  await alice.page.getByTestId('search-input').fill('مرحبا')
  await expect(alice.page.getByTestId('search-hit')).toHaveCount(1)
  await expect(alice.page.getByTestId('search-snippet')).toHaveText('مرحبا بالعالم')
  await alice.page.getByTestId('search-input').fill('carol')
  await expect(alice.page.getByTestId('search-empty')).toBeVisible()
  await alice.page.getByTestId('search-input').fill('مرحبا')
  await alice.page.getByTestId('search-hit').click()
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('#hush-social')
  await expect(shownTexts(alice.page).filter({ hasText: 'مرحبا بالعالم' })).toBeInViewport()

  // Unblocking from Settings brings back what Carol wrote before the block.
  await alice.page.getByRole('button', { name: 'Settings' }).click()
  await alice.page.getByTestId('blocked-row').getByRole('button', { name: 'Unblock' }).click()
  await expect(alice.page.getByTestId('blocked-row')).toHaveCount(0)
  await openChat(alice.page, '#hush-social')
  await expect(shownTexts(alice.page).filter({ hasText: 'carol was here first' })).toBeVisible()
})
