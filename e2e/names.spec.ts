import { expect, test } from './fixtures/app'
import { acceptRequest, addOpenContact, joinPublicChat, leaveContactPage, openChat, sendMessage, startChat, waitForPeers } from './fixtures/chats'
import { createIdentity, unlock } from './fixtures/onboarding'
import { snap } from './fixtures/screenshots'

test('chosen names reach strangers in a public chat and contacts on a change, shown first with the alias beside them; keys show as 0x04…', async ({ launch, relay }) => {
  test.setTimeout(180_000)
  const alice = await launch({ name: 'alice', staticPeers: [relay.enode] })
  const aliceId = await createIdentity(alice.page, 'names-pass-alice', { name: 'Alice' })
  const bob = await launch({ name: 'bob', staticPeers: [relay.enode] })
  const bobId = await createIdentity(bob.page, 'names-pass-bob')
  await waitForPeers(alice.page, 1)
  await waitForPeers(bob.page, 1)

  // In a public chat, strangers learn each other's chosen names from the signed messages themselves.
  await joinPublicChat(alice.page, 'hush-names')
  await joinPublicChat(bob.page, 'hush-names')
  await sendMessage(alice.page, 'Hello everyone')
  await expect(bob.page.getByTestId('message-chosen-name')).toHaveText('Alice', { timeout: 30_000 })
  await expect(bob.page.getByTestId('message-author')).toHaveText(aliceId.alias)
  await snap(bob.page, 'public-chat-names')
  // Her contact page shows the name her messages carried, though she is no contact of his.
  await bob.page.getByRole('button', { name: `Contact details: ${aliceId.alias}` }).click()
  await expect(bob.page.getByTestId('contact-name')).toHaveText('Alice')
  await expect(bob.page.getByTestId('contact-alias')).toHaveText(aliceId.alias)
  await snap(bob.page, 'contact-page-stranger')
  await leaveContactPage(bob.page)

  // Alice adds Bob (which sends him her chosen name); her message reaches him as a request.
  await startChat(alice.page, bobId.publicKey)
  await addOpenContact(alice.page)
  await sendMessage(alice.page, 'Hello from Alice')
  await acceptRequest(bob.page, 'Alice')
  await expect(bob.page.getByTestId('chosen-name')).toHaveText('Alice', { timeout: 30_000 })
  // Bob adds her back: the names he chooses from now on reach her.
  await addOpenContact(bob.page)
  // One key format: the uncompressed key, shortened, whole on hover; never the compressed 0x02/0x03 form.
  const key = bob.page.getByTestId('conversation-header').getByTestId('chat-key')
  await expect(key).toHaveText(`${aliceId.publicKey.slice(0, 10)}…${aliceId.publicKey.slice(-6)}`)
  await expect(key).toHaveAttribute('title', aliceId.publicKey)
  await expect(bob.page.getByTestId('conversation-header')).not.toContainText(/0x0[23]/)

  // Alice renames herself on her profile page; Bob's header and her messages follow.
  await alice.page.getByRole('button', { name: 'Profile', exact: true }).click()
  await alice.page.getByRole('button', { name: 'Change name' }).click()
  await alice.page.getByLabel('Your name').fill('Alicia')
  await alice.page.getByRole('button', { name: 'Save name' }).click()
  await expect(alice.page.getByTestId('profile-name')).toHaveText('Alicia')
  await expect(bob.page.getByTestId('chosen-name')).toHaveText('Alicia', { timeout: 30_000 })
  await expect(bob.page.getByTestId('message-chosen-name').first()).toHaveText('Alicia')
  await expect(bob.page.getByTestId('message-author').first()).toHaveText(aliceId.alias)
  await snap(bob.page, 'conversation-names')

  // Bob, who had no name, chooses one; Alice learns it.
  await bob.page.getByRole('button', { name: 'Profile', exact: true }).click()
  await bob.page.getByRole('button', { name: 'Choose a name' }).click()
  await bob.page.getByLabel('Your name').fill('Bob')
  await bob.page.getByRole('button', { name: 'Save name' }).click()
  await alice.page.getByTestId('chat-list-item').filter({ hasNotText: 'hush-names' }).click()
  await expect(alice.page.getByTestId('chosen-name')).toHaveText('Bob', { timeout: 30_000 })
  // His messages in the public chat carry it too.
  await openChat(bob.page, '#hush-names')
  await sendMessage(bob.page, 'Bob here')
  await openChat(alice.page, '#hush-names')
  const bobsPost = alice.page.getByTestId('message').filter({ hasText: 'Bob here' })
  await expect(bobsPost.getByTestId('message-chosen-name')).toHaveText('Bob', { timeout: 30_000 })
  await expect(bobsPost.getByTestId('message-author')).toHaveText(bobId.alias)

  // The name is kept with the account.
  await alice.restart()
  await unlock(alice.page, 'names-pass-alice')
  await alice.page.getByRole('button', { name: 'Profile', exact: true }).click()
  await expect(alice.page.getByTestId('profile-name')).toHaveText('Alicia')
})
