import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { type AppInstance, expect, test } from './fixtures/app'
import { acceptRequest, addOpenContact, joinPublicChat, leaveContactPage, openChat, request, sendMessage, startChat, waitForPeers } from './fixtures/chats'
import { createIdentity } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

const passwordOf = (person: AppInstance) => `pass-${person.name}-42`

/** Opens the safety-number screen of the open 1:1 chat's contact and returns its 60 digits. */
async function openSafetyNumber(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Contact details', exact: true }).click()
  await expect(page.getByTestId('contact-page')).toBeVisible()
  await page.getByRole('button', { name: 'Show safety number' }).click()
  const groups = page.getByTestId('safety-number').locator('li')
  await expect(groups).toHaveCount(12, { timeout: 20_000 })
  return (await groups.allTextContents()).join('')
}

async function closeSafetyNumber(page: Page): Promise<void> {
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click()
  await leaveContactPage(page)
}

function chatRow(page: Page, title: string) {
  return page.getByTestId('chat-list-item').filter({ has: page.getByTestId('chat-name').getByText(title, { exact: true }) })
}

test('verification: one safety number on both sides, a verified badge that survives a restart, QR image scan, and a warning for a copied name', async ({
  launch,
  relay
}, testInfo) => {
  test.setTimeout(300_000)
  const alice = await launch({ name: 'alice', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const aliceId = await createIdentity(alice.page, passwordOf(alice), { name: 'Alice' })
  const bob = await launch({ name: 'bob', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const bobId = await createIdentity(bob.page, passwordOf(bob), { name: 'Bob' })
  await waitForPeers(alice.page, 1)
  await waitForPeers(bob.page, 1)

  // Names travel in the ContactUpdate extension, sent when a person adds the other as a contact: each
  // then sees the other's chosen name beside the alias.
  await startChat(alice.page, bobId.publicKey)
  await expect(alice.page.getByTestId('conversation-title')).toHaveText(bobId.alias)
  await addOpenContact(alice.page)
  await sendMessage(alice.page, 'Hi Bob, shall we compare numbers?')
  await acceptRequest(bob.page, 'Alice')
  await addOpenContact(bob.page)
  await expect(bob.page.getByTestId('chosen-name')).toHaveText('Alice', { timeout: 30_000 })
  await expect(alice.page.getByTestId('chosen-name')).toHaveText('Bob', { timeout: 30_000 })
  await expect(bob.page.getByTestId('message-chosen-name').first()).toHaveText('Alice')

  // The same 60 digits on both screens.
  await alice.page.getByRole('button', { name: 'Contact details', exact: true }).click()
  await expect(alice.page.getByTestId('contact-name')).toHaveText('Bob')
  await expect(alice.page.getByTestId('contact-alias')).toHaveText(bobId.alias)
  await expect(alice.page.getByTestId('contact-key')).toHaveText(bobId.publicKey)
  await expect(alice.page.getByTestId('contact-devices').locator('li')).toHaveCount(1, { timeout: 30_000 })
  await snap(alice.page, 'contact-page')
  await leaveContactPage(alice.page)
  const aliceNumber = await openSafetyNumber(alice.page)
  const bobNumber = await openSafetyNumber(bob.page)
  expect(aliceNumber).toMatch(/^\d{60}$/)
  expect(bobNumber).toBe(aliceNumber)
  await snap(alice.page, 'safety-number')

  // Mark as verified: the badge shows in the header and the chat list, and is still there after a restart.
  await alice.page.getByRole('button', { name: 'Mark as verified' }).click()
  await expect(alice.page.getByTestId('verification-state')).toContainText('Verified on')
  await closeSafetyNumber(alice.page)
  await expect(alice.page.getByTestId('conversation-header').getByTestId('verified-badge')).toBeVisible()
  await expect(chatRow(alice.page, bobId.alias).getByTestId('verified-badge')).toBeVisible()
  await snap(alice.page, 'conversation-verified')

  await alice.restart()
  await alice.page.getByLabel('Password').fill(passwordOf(alice))
  await alice.page.getByRole('button', { name: 'Unlock' }).click()
  await expect(chatRow(alice.page, bobId.alias).getByTestId('verified-badge')).toBeVisible({ timeout: 30_000 })
  await openChat(alice.page, bobId.alias)
  await expect(alice.page.getByTestId('conversation-header').getByTestId('verified-badge')).toBeVisible()

  // Cleared, then verified again from a picture of Bob's code; a picture of her own code is refused.
  await openSafetyNumber(alice.page)
  await alice.page.getByRole('button', { name: 'Clear verification' }).click()
  await expect(alice.page.getByTestId('verification-state')).toHaveText('Not verified')
  const bobQr = join(testInfo.outputDir, 'bob-qr.png')
  const aliceQr = join(testInfo.outputDir, 'alice-qr.png')
  await bob.page.getByTestId('verification-qr').locator('img').screenshot({ path: bobQr })
  await alice.page.getByTestId('verification-qr').locator('img').screenshot({ path: aliceQr })
  await closeSafetyNumber(bob.page)
  await alice.page.getByTestId('qr-file-input').setInputFiles(aliceQr)
  await expect(alice.page.getByTestId('scan-outcome')).toHaveAttribute('data-outcome', 'mismatch', { timeout: 20_000 })
  await expect(alice.page.getByTestId('scan-outcome')).toContainText('This is not the key on the other screen')
  await expect(alice.page.getByTestId('verification-state')).toHaveText('Not verified')
  await alice.page.getByTestId('qr-file-input').setInputFiles(bobQr)
  await expect(alice.page.getByTestId('scan-outcome')).toHaveAttribute('data-outcome', 'match', { timeout: 20_000 })
  await expect(alice.page.getByTestId('verification-state')).toContainText('Verified on')
  await snap(alice.page, 'safety-number-scanned')
  await closeSafetyNumber(alice.page)
  await expect(alice.page.getByTestId('conversation-header').getByTestId('verified-badge')).toBeVisible()

  // Mallory, another key with Bob's chosen name, writes to Alice.
  const mallory = await launch({ name: 'mallory', staticPeers: [relay.enode], mailservers: [relay.enode] })
  const malloryId = await createIdentity(mallory.page, passwordOf(mallory), { name: 'Bob' })
  await waitForPeers(mallory.page, 1)
  await startChat(mallory.page, aliceId.publicKey)
  await addOpenContact(mallory.page)
  await sendMessage(mallory.page, 'Hi Alice, it is Bob on my new laptop')
  // A stranger's message is a request; it already says whom the name copies.
  await alice.page.getByTestId('open-requests').click({ timeout: 30_000 })
  await expect(request(alice.page, 'Bob').getByTestId('impersonation-warning')).toContainText(`your contact Bob (${bobId.alias})`, { timeout: 30_000 })
  await request(alice.page, 'Bob').getByRole('button', { name: 'Accept' }).click()
  await expect(chatRow(alice.page, malloryId.alias)).toBeVisible({ timeout: 30_000 })
  await expect(chatRow(alice.page, malloryId.alias).getByTestId('lookalike-mark')).toBeVisible({ timeout: 30_000 })
  await expect(chatRow(alice.page, malloryId.alias).getByTestId('verified-badge')).toHaveCount(0)
  const warning = alice.page.getByTestId('impersonation-warning')
  await expect(warning).toContainText(`your contact Bob (${bobId.alias})`)
  await expect(alice.page.getByTestId('conversation-header').getByTestId('verified-badge')).toHaveCount(0)
  await expect(alice.page.getByTestId('timeline').getByTestId('lookalike-mark').first()).toBeVisible()
  await snap(alice.page, 'impersonation-warning')
  const malloryNumber = await openSafetyNumber(alice.page)
  expect(malloryNumber).not.toBe(aliceNumber)
  await closeSafetyNumber(alice.page)

  // The same warning before a chat is started with the key.
  await alice.page.getByRole('button', { name: 'New chat' }).click()
  await alice.page.getByRole('dialog').getByLabel('Chat key').fill(malloryId.publicKey)
  await expect(alice.page.getByRole('dialog').getByTestId('impersonation-warning')).toContainText('Bob')
  await alice.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()

  // A public-chat author opens the same contact page, badge included.
  await joinPublicChat(alice.page, 'hush-verify')
  await joinPublicChat(bob.page, 'hush-verify')
  await sendMessage(bob.page, 'Bob in public')
  const author = alice.page.getByRole('button', { name: `Contact details: ${bobId.alias}` })
  await expect(author).toBeVisible({ timeout: 30_000 })
  await expect(alice.page.getByTestId('timeline').getByTestId('verified-badge').first()).toBeVisible()
  await author.click()
  await expect(alice.page.getByTestId('contact-name')).toHaveText('Bob')
  await expect(alice.page.getByTestId('contact-page').getByTestId('verified-badge')).toBeVisible()
})
